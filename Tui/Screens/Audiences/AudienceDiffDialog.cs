using Onboarding.Engine.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>Who entered and who left an audience between two processing dates (the engine keeps each run's members).</summary>
internal sealed class AudienceDiffDialog : Dialog
{
    public static readonly KeyMap Keys = new("Diff");
    public static readonly KeyAction CompareKey = Keys.Add(Key.F5, "Compare", "count who entered and who left between From and To (also Enter in a date)");

    private readonly TuiSession _session;
    private readonly string _client;
    private readonly string _audience;
    private readonly TextField _from;
    private readonly TextField _to;
    private readonly Label _result;

    public AudienceDiffDialog(TuiSession session, string audience, IReadOnlyList<AudienceSizePoint> history)
    {
        _session = session;
        _client = session.Client;
        _audience = audience;
        HotKeySpecifier = Views.NoHotKey;
        Title = $"Diff of {audience}";
        Width = Dim.Percent(70);
        Height = 12;
        var fromLabel = new Label { Text = "From:" };
        _from = new TextField { X = 7, Width = 12, Text = history.Count >= 2 ? Format.Date(history[^2].Date) : history.Count == 1 ? Format.Date(history[0].Date) : string.Empty };
        var toLabel = new Label { X = Pos.Right(_from) + 2, Text = "To:" };
        _to = new TextField { X = Pos.Right(toLabel) + 1, Width = 12, Text = history.Count >= 1 ? Format.Date(history[^1].Date) : string.Empty };
        var hint = new Label { X = Pos.Right(_to) + 2, Text = "processing dates, yyyy-MM-dd" };
        _result = Views.DataLabel(string.Empty);
        _result.Y = 2;
        _result.Height = 4;
        Add(fromLabel, _from, toLabel, _to, hint, _result, Keys.Bar((CompareKey, Compare)));
        _from.Accepting += (_, e) =>
        {
            Compare();
            e.Handled = true;
        };
        _to.Accepting += (_, e) =>
        {
            Compare();
            e.Handled = true;
        };
        _from.SetFocus();
    }

    public AudienceDiff? Diff { get; private set; }

    public string Outcome => _result.Text;

    public string From
    {
        get => _from.Text;
        set => _from.Text = value;
    }

    public string To
    {
        get => _to.Text;
        set => _to.Text = value;
    }

    public void Compare()
    {
        if (!Format.TryParseDate(_from.Text, "From", out DateOnly from, out string problem) || !Format.TryParseDate(_to.Text, "To", out DateOnly to, out problem))
        {
            _result.Text = problem;
            return;
        }

        string client = _client;
        string audience = _audience;
        _result.Text = "comparing…";
        this.Start(
            async () =>
            {
                AudienceDiff diff = await _session.Engine.RunAsync(data => new AudienceService(data, client).Diff(audience, from, to).Diff).ConfigureAwait(false);
                this.OnUiThread(() =>
                {
                    Diff = diff;
                    _result.Text = $"{Format.Date(diff.From)}: {Format.Plural(diff.SizeFrom, "member")}  →  {Format.Date(diff.To)}: {Format.Plural(diff.SizeTo, "member")}\n"
                        + $"entered: {Format.Count(diff.Entered)}   left: {Format.Count(diff.Left)}";
                });
            },
            ex => _result.Text = ex.Message);
    }
}
