using System.Collections.ObjectModel;
using Onboarding.Engine.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>
/// Overlap of 2–10 audiences and snapshots: mark them (the audience it was opened from is marked), then the matrix
/// shows for each pair how many members they share and what share of the row's audience that is.
/// </summary>
internal sealed class AudienceOverlapDialog : Dialog
{
    public static readonly KeyMap Keys = new("Overlap");
    public static readonly KeyAction MarkKey = Keys.Describe("Space", "mark or unmark the highlighted audience (or click it)");
    public static readonly KeyAction CompareKey = Keys.Add(Key.F5, "Compare", "compute the matrix of the 2–10 marked audiences");

    private readonly TuiSession _session;
    private readonly string _client;
    private readonly ListView _list;
    private readonly TableView _matrix;
    private readonly Label _status;
    private readonly string _audience;
    private IReadOnlyList<string> _names = [];

    public AudienceOverlapDialog(TuiSession session, string audience)
    {
        _session = session;
        _client = session.Client;
        HotKeySpecifier = Views.NoHotKey;
        Title = $"Overlap of {audience} with other audiences";
        Width = Dim.Percent(90);
        Height = Dim.Percent(85);
        var listLabel = new Label { Text = "Mark 2 to 10 (Space), then F5:" };
        _list = new ListView { Y = 1, Width = 34, Height = Dim.Fill(3), ShowMarks = true, MarkMultiple = true, HotKeySpecifier = Views.NoHotKey };
        _matrix = Views.Table(2);
        _matrix.X = 36;
        _matrix.Height = Dim.Fill(3);
        _status = Views.DataLabel("loading the audiences…");
        _status.Y = Pos.AnchorEnd(2);
        Add(listLabel, _list, _matrix, _status, Keys.Bar((CompareKey, Compare)));
        _audience = audience;
    }

    /// <summary>The last matrix computed.</summary>
    public OverlapMatrix? Matrix { get; private set; }

    public string Status => _status.Text;

    /// <summary>Marks an audience or snapshot by name, as Space on it does.</summary>
    public void Mark(string name)
    {
        int index = _names.ToList().IndexOf(name);
        if (index >= 0)
        {
            _list.Source?.SetMark(index, true);
            _list.SetNeedsDraw();
        }
    }

    public IReadOnlyList<string> Marked => [.. _names.Where((_, i) => _list.Source?.IsMarked(i) == true)];

    /// <summary>Loads the audiences and snapshots once the dialog runs (results come back through the running app).</summary>
    protected override void OnIsRunningChanged(bool newIsRunning)
    {
        base.OnIsRunningChanged(newIsRunning);
        if (newIsRunning && _names.Count == 0)
        {
            string client = _client;
            this.Start(
                async () =>
                {
                    IReadOnlyList<string> names = await _session.Engine.RunAsync(data =>
                    {
                        var service = new AudienceService(data, client);
                        return (IReadOnlyList<string>)[.. service.List().Select(a => a.Name), .. service.Snapshots().Select(s => s.Name)];
                    }).ConfigureAwait(false);
                    this.OnUiThread(() => ShowNames(names, _audience));
                },
                ex => _status.Text = ex.Message);
        }
    }

    private void ShowNames(IReadOnlyList<string> names, string audience)
    {
        _names = names;
        _list.SetSource(new ObservableCollection<string>(names));
        _list.Value = 0;
        Mark(audience);
        _status.Text = $"{Format.Plural(names.Count, "audience")} and snapshots to compare with.";
        _list.SetFocus();
    }

    /// <summary>Computes the matrix of the marked audiences off the UI thread; the engine checks there are 2–10.</summary>
    private void Compare()
    {
        IReadOnlyList<string> items = Marked;
        string client = _client;
        _status.Text = "computing…";
        this.Start(
            async () =>
            {
                OverlapMatrix matrix = await _session.Engine.RunAsync(data => new AudienceService(data, client).Overlap(items)).ConfigureAwait(false);
                this.OnUiThread(() => ShowMatrix(matrix));
            },
            ex => _status.Text = ex.Message);
    }

    private void ShowMatrix(OverlapMatrix matrix)
    {
        Matrix = matrix;
        var columns = new Dictionary<string, Func<int, object>>
        {
            ["#"] = row => row + 1,
            ["Audience"] = row => matrix.Items[row],
            ["Size"] = row => Format.Count(matrix.Sizes[row]),
        };
        for (int column = 0; column < matrix.Items.Count; column++)
        {
            int c = column;
            columns[$"∩ {c + 1}"] = row => $"{Format.Count(matrix.Counts[row][c])} ({Format.Percent(matrix.Share(row, c))})";
        }

        _matrix.Table = new EnumerableTableSource<int>([.. Enumerable.Range(0, matrix.Items.Count)], columns);
        _status.Text = "Each cell: members the row shares with column N, and the share of the row's audience.";
    }
}
