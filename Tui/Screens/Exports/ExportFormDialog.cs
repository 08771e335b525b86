using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>
/// A form of the exports module (destination, encryption, the export builder): labelled fields one per row, required
/// ones marked with *, and a save that checks and writes through the engine off the UI thread. The dialog closes only
/// once the engine saved; otherwise the problem (what and which field) is shown and the fields stay as typed.
/// </summary>
internal abstract class ExportFormDialog<T> : Dialog
    where T : class
{
    private const int LabelWidth = 22;
    private readonly Label _problem;

    protected ExportFormDialog(TuiSession session, string title)
    {
        Session = session;
        Client = session.Client;
        Title = title;
        HotKeySpecifier = Views.NoHotKey;
        Width = Dim.Percent(90);
        Height = Dim.Percent(90);
        _problem = Views.DataLabel(string.Empty);
        _problem.Y = Pos.AnchorEnd(2);
        Add(_problem);
    }

    /// <summary>What was saved; null while nothing was (or when the dialog was closed without saving).</summary>
    public T? Saved { get; private set; }

    /// <summary>Why the last save was refused, or its progress.</summary>
    public string Problem
    {
        get => _problem.Text;
        protected set => _problem.Text = value;
    }

    protected TuiSession Session { get; }

    protected string Client { get; }

    /// <summary>Reads the fields (on the UI thread) into the engine work that saves them; null when a field cannot be read (and <see cref="Problem"/> says why).</summary>
    protected abstract Func<DataFolder, T>? Prepare();

    /// <summary>Saves through the engine; closes the dialog when it did, shows the engine's message when it refused.</summary>
    public void Save()
    {
        if (Prepare() is not { } work)
        {
            return;
        }

        Problem = "saving…";
        this.Start(
            async () =>
            {
                T saved = await Session.Engine.RunAsync(work).ConfigureAwait(false);
                this.OnUiThread(() =>
                {
                    Saved = saved;
                    RequestStop();
                });
            },
            problem => Problem = problem.Message);
    }

    /// <summary>A row of the form: the label (with * when required) and the field beside it, below the previous row of <paramref name="parent"/>.</summary>
    protected static TView Row<TView>(View parent, string label, TView field, bool required = false)
        where TView : View
    {
        int y = parent.SubViews.OfType<Label>().Count(l => l.Data is "row");
        var caption = new Label { Text = (required ? "* " : "  ") + label, Y = y, Width = LabelWidth, HotKeySpecifier = Views.NoHotKey, Data = "row" };
        field.X = LabelWidth;
        field.Y = y;
        if (field is TextField)
        {
            field.Width = Dim.Fill(2);
        }

        parent.Add(caption, field);
        return field;
    }

    /// <summary>A note under the rows (what a field accepts).</summary>
    protected static void Note(View parent, string text)
    {
        Label note = Views.DataLabel("  " + text);
        note.Y = parent.SubViews.OfType<Label>().Count(l => l.Data is "row");
        note.Data = "row";
        parent.Add(note);
    }
}
