using System.Collections.ObjectModel;
using Onboarding.Engine.Audiences;
using Onboarding.Tui.Screens.Charts;
using Onboarding.Tui.Screens.Exports;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>
/// One audience, read-only, in tabs: Details (size over time for a date range, estimated size and % of base, the
/// targeting summary), Composition (a group's segments as bars and a table) and Exports (this audience's export configurations and their runs); actions take a snapshot,
/// compare it with other audiences (overlap) and say who entered and left between two processing dates (diff).
/// Everything is loaded off the UI thread.
/// </summary>
internal sealed class AudienceDetailDialog : Dialog
{
    public static readonly KeyMap Keys = new("Audience detail");
    public static readonly KeyAction SnapshotKey = Keys.Add(Key.F2, "Snapshot", "freeze the current members as a snapshot, under a name you give");
    public static readonly KeyAction OverlapKey = Keys.Add(Key.F3, "Overlap", "compare with other audiences and snapshots: counts and % of each pair");
    public static readonly KeyAction DiffKey = Keys.Add(Key.F4, "Diff", "who entered and who left between two processing dates");
    public static readonly KeyAction TabsKey = Keys.Describe("Alt+D Alt+C Alt+X", "the Details / Composition / Exports tab (or click it); Tab moves into it");
    public static readonly KeyAction RangeKey = Keys.Describe("Enter in From/To", "show the size history of that date range (yyyy-MM-dd)");
    public static readonly KeyAction GroupKey = Keys.Describe("↑ ↓ in Group", "the composition by another group");

    private readonly TuiSession _session;
    private readonly string _client;
    private readonly Label _status;
    private readonly DateRangeFields _range;
    private readonly TextChartView _chart;
    private readonly ListView _groups;
    private readonly TextChartView _bars;
    private readonly TableView _composition;
    private IReadOnlyList<string> _groupNames = [];
    private bool _showingGroups;

    public AudienceDetailDialog(TuiSession session, Audience audience)
    {
        _session = session;
        _client = session.Client;
        Audience = audience;
        HotKeySpecifier = Views.NoHotKey;
        Title = $"Audience {audience.Name} ({Format.Lower(audience.Status)})";
        Width = Dim.Percent(90);
        Height = Dim.Percent(90);

        var details = new View { Title = "_Details", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        Label estimate = Views.DataLabel(
            $"Estimated size: {(audience.Size is { } size ? Format.Count(size) : "not processed yet")}"
                + $"  ·  {(audience.ShareOfBase is { } share ? Format.Percent(share) : "-")} of base"
                + $"  ·  last processed {(audience.LastProcessed is { } processed ? Format.Time(processed) : "never")}"
                + $"  ·  created by {audience.CreatedBy} on {Format.Time(audience.CreatedOn)}");
        Label targeting = Views.DataLabel("Targeting summary: " + TargetingSummary.Describe(audience.Expression));
        targeting.Y = 1;
        targeting.Height = Dim.Auto();
        _range = new DateRangeFields("Size over time  ") { Y = Pos.Bottom(targeting) + 1 };
        _chart = new TextChartView { Y = Pos.Bottom(_range) + 1, Width = Dim.Fill(), Height = Dim.Fill() };
        details.Add(estimate, targeting, _range, _chart);

        var composition = new View { Title = "_Composition", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var groupLabel = new Label { Text = "Group:" };
        _groups = new ListView { Y = 1, Width = 24, Height = Dim.Fill(), HotKeySpecifier = Views.NoHotKey };
        _bars = new TextChartView { X = 26, Width = Dim.Fill(), Height = 6 };
        _composition = Views.Table(1, 2);
        _composition.X = 26;
        _composition.Y = Pos.Bottom(_bars) + 1;
        _composition.Height = Dim.Fill();
        composition.Add(groupLabel, _groups, _bars, _composition);

        var exports = new View { Title = "E_xports", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var configurationLabel = new Label { Text = "Configuration (Manage exports, F7, creates and changes them):" };
        ExportConfigurations = Views.Table();
        ExportColumns.Narrow(ExportConfigurations, 30, 3, 6);
        ExportConfigurations.Y = 1;
        ExportConfigurations.Height = Dim.Percent(40);
        var historyLabel = new Label { Text = "History:", Y = Pos.Bottom(ExportConfigurations) };
        ExportHistory = Views.Table(6);
        ExportColumns.Narrow(ExportHistory, 20, 7, 8, 10);
        ExportHistory.Y = Pos.Bottom(historyLabel);
        ExportHistory.Height = Dim.Fill();
        exports.Add(configurationLabel, ExportConfigurations, historyLabel, ExportHistory);

        var tabs = new Tabs { Width = Dim.Fill(), Height = Dim.Fill(3) };
        tabs.Add(details, composition, exports);
        Tabs = tabs;
        _status = Views.DataLabel(string.Empty);
        _status.Y = Pos.AnchorEnd(2);
        Add(tabs, _status, Keys.Bar((SnapshotKey, TakeSnapshot), (OverlapKey, CompareOverlap), (DiffKey, ShowDiff)));

        _range.Applied += LoadHistory;
        _groups.ValueChanged += (_, _) =>
        {
            if (!_showingGroups && _groups.Value is { } index && index >= 0 && index < _groupNames.Count)
            {
                LoadComposition(_groupNames[index]);
            }
        };
    }

    public Audience Audience { get; }

    public Tabs Tabs { get; }

    /// <summary>The Exports tab's configurations of this audience.</summary>
    public TableView ExportConfigurations { get; }

    /// <summary>The Exports tab's runs of this audience, newest first.</summary>
    public TableView ExportHistory { get; }

    /// <summary>What the Exports tab shows (null until loaded).</summary>
    public ExportsOverview? Exports { get; private set; }

    /// <summary>The size points the chart shows (after the date range).</summary>
    public IReadOnlyList<AudienceSizePoint>? History { get; private set; }

    public AudienceComposition? Composition { get; private set; }

    /// <summary>The result or problem of the last action.</summary>
    public string Status => _status.Text;

    public DateRangeFields Range => _range;

    /// <summary>Loads the data once the dialog runs (results come back through the running app).</summary>
    protected override void OnIsRunningChanged(bool newIsRunning)
    {
        base.OnIsRunningChanged(newIsRunning);
        if (newIsRunning && History is null)
        {
            LoadHistory();
            LoadComposition(null);
            LoadExports();
        }
    }

    /// <summary>Loads the size history of the date range in From/To (all of it when both are empty).</summary>
    public void LoadHistory()
    {
        if (!_range.TryRead(out DateOnly? from, out DateOnly? to, out string problem))
        {
            _status.Text = problem;
            return;
        }

        string name = Audience.Name;
        string client = _client;
        this.Start(
            async () =>
            {
                IReadOnlyList<AudienceSizePoint> history = await _session.Engine.RunAsync(data => new AudienceService(data, client).History(name, from, to)).ConfigureAwait(false);
                this.OnUiThread(() => ShowHistory(history, from is null && to is null));
            },
            Fail);
    }

    private void ShowHistory(IReadOnlyList<AudienceSizePoint> history, bool whole)
    {
        History = history;
        if (whole && history.Count > 0)
        {
            // The default range runs from the first processing date to the last, as far as the history goes.
            _range.From = Format.Date(history[0].Date);
            _range.To = Format.Date(history[^1].Date);
        }

        SizePoint[] points = [.. history.Select(p => new SizePoint(p.Date, p.Size))];
        _chart.Render = (width, height) => SizeChart.Render(points, width, height);
        _status.Text = history.Count == 0
            ? "No processing runs in this range."
            : $"{Format.Plural(history.Count, "processing run")}; last {Format.Date(history[^1].Date)}: {Format.Count(history[^1].Size)} ({Format.Percent(history[^1].ShareOfBase)} of base)";
    }

    /// <summary>The composition by a group (null: the engine's default, the group with the most segments).</summary>
    private void LoadComposition(string? group)
    {
        string name = Audience.Name;
        string client = _client;
        this.Start(
            async () =>
            {
                (IReadOnlyList<string> groups, AudienceComposition? composition) = await _session.Engine.RunAsync(data =>
                {
                    IReadOnlyList<string> names = [.. data.Catalog.Segments(client).Select(s => s.Group).Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase)];
                    return (names, names.Count == 0 ? null : new AudienceService(data, client).Composition(name, group));
                }).ConfigureAwait(false);
                this.OnUiThread(() => ShowComposition(groups, composition));
            },
            Fail);
    }

    private void ShowComposition(IReadOnlyList<string> groups, AudienceComposition? composition)
    {
        Composition = composition;
        _showingGroups = true;
        _groupNames = groups;
        _groups.SetSource(new ObservableCollection<string>(groups));
        _groups.Value = composition is null ? null : Math.Max(0, groups.ToList().IndexOf(composition.Group));
        _showingGroups = false;
        IReadOnlyList<CompositionRow> rows = composition?.Rows ?? [];
        ShareBar[] bars = [.. rows.Select(r => new ShareBar(r.Segment ?? "(none of them)", r.Count, r.ShareOfAudience))];
        _bars.Height = Math.Max(1, bars.Length);
        _bars.Render = (width, _) => bars.Length == 0 ? ["The client has no segments yet."] : BarChart.Render(bars, width);
        _composition.Table = new EnumerableTableSource<CompositionRow>(rows, new Dictionary<string, Func<CompositionRow, object>>
        {
            [composition is null ? "Segment" : $"{composition.Group} segment"] = r => r.Segment ?? "(none of them)",
            ["Count"] = r => Format.Count(r.Count),
            ["% of audience"] = r => Format.Percent(r.ShareOfAudience),
        });
    }

    private void LoadExports()
    {
        string name = Audience.Name;
        string client = _client;
        this.Start(
            async () =>
            {
                ExportsOverview overview = await _session.Engine.RunAsync(data => ExportsOverview.Load(data, client, name)).ConfigureAwait(false);
                this.OnUiThread(() =>
                {
                    Exports = overview;
                    ExportConfigurations.Table = ExportColumns.Configurations(overview.Exports, overview.Destinations);
                    ExportHistory.Table = ExportColumns.Runs(overview.Runs, overview.Exports);
                });
            },
            Fail);
    }

    private void TakeSnapshot()
    {
        using var prompt = new NamePromptDialog("Snapshot", "Snapshot name:", $"{Audience.Name} {Format.Date(DateOnly.FromDateTime(TimeProvider.System.GetLocalNow().DateTime))}");
        App?.Run(prompt);
        if (prompt.Answer is not { } snapshotName)
        {
            return;
        }

        string name = Audience.Name;
        string client = _client;
        _status.Text = "taking the snapshot…";
        this.Start(
            async () =>
            {
                AudienceSnapshot snapshot = await _session.Engine.RunAsync(data => new AudienceService(data, client).Snapshot(name, snapshotName, Environment.UserName)).ConfigureAwait(false);
                this.OnUiThread(() => _status.Text = $"Snapshot \"{snapshot.Name}\" saved: {Format.Plural(snapshot.Size, "member")}; refer to it as @\"{snapshot.Name}\".");
            },
            Fail);
    }

    private void CompareOverlap()
    {
        using var overlap = new AudienceOverlapDialog(_session, Audience.Name);
        App?.Run(overlap);
    }

    private void ShowDiff()
    {
        using var diff = new AudienceDiffDialog(_session, Audience.Name, History ?? []);
        App?.Run(diff);
    }

    private void Fail(Exception problem) => _status.Text = problem.Message;
}
