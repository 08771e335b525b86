using Onboarding.Engine.Segments;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Segments;

/// <summary>
/// The client's segments: group, segment, type, size, last update and version; keyword search, three sort
/// keys (F6 or a header click), Enter opens the segment's version history.
/// </summary>
internal sealed class SegmentsScreen : TableScreen<SegmentInfo>
{
    public static readonly KeyMap Keys = new("Segments screen");
    public static readonly KeyAction OpenKey = Keys.Describe("Enter", "open the segment: size over time, versions and the files that made them (or double-click)");
    public static readonly KeyAction SortKey = Keys.Describe("F6", "sort: name A-Z, Z-A, size largest/smallest, updated newest/oldest (or click a header)");

    private static readonly string[] Columns = ["Group", "Segment", "Type", "Size", "Updated", "Version"];

    private IReadOnlyList<SegmentInfo> _all = [];

    public SegmentsScreen(TuiSession session)
        : base(session, "Segments", 3, 5)
    {
        Table.Activating += (_, e) =>
        {
            if (e.Context?.Binding is MouseBinding { MouseEvent: { } mouse } && mouse.Position is { } position
                && Table.ScreenToCell(position, out int? headerColumn) is null && headerColumn is { } column
                && column < Columns.Length && SegmentQuery.ForColumn(Columns[column], Sort) is { } sort)
            {
                Sort = sort;
                Show();
            }
        };
        Show();
    }

    public SegmentSort Sort { get; private set; } = SegmentSort.NameAscending;

    public override async Task RefreshAsync()
    {
        string client = Session.Client;
        IReadOnlyList<SegmentInfo> segments = await Session.Engine.RunAsync(data => data.Catalog.Segments(client)).ConfigureAwait(false);
        OnUiThread(() =>
        {
            if (client == Session.Client)
            {
                _all = segments;
                Show();
            }
        });
    }

    public override void CycleSort()
    {
        Sort = SegmentQuery.Next(Sort);
        Show();
    }

    protected override void OnSearchChanged() => Show();

    /// <summary>Opens the segment's version history.</summary>
    protected override void Open(SegmentInfo segment)
    {
        Start(async () =>
        {
            IReadOnlyList<SegmentVersionInfo> versions = await Session.Engine.RunAsync(data => data.Catalog.Versions(segment.Client, segment.Id)).ConfigureAwait(false);
            OnUiThread(() =>
            {
                using var dialog = new SegmentDetailDialog(segment, versions);
                App?.Run(dialog);
            });
        });
    }

    private void Show()
    {
        SegmentInfo? selected = Selected;
        Shown = SegmentQuery.Apply(_all, SearchText, Sort);
        (string sortColumn, string arrow) = SegmentQuery.Indicator(Sort);
        string Header(string name) => name == sortColumn ? $"{name} {arrow}" : name;
        Table.Table = new EnumerableTableSource<SegmentInfo>(Shown, new Dictionary<string, Func<SegmentInfo, object>>
        {
            [Header("Group")] = s => s.Group,
            [Header("Segment")] = s => s.Segment,
            [Header("Type")] = s => Format.Type(s.Type),
            [Header("Size")] = s => Format.Count(s.Size),
            [Header("Updated")] = s => Format.Time(s.Updated),
            [Header("Version")] = s => s.CurrentVersion,
        });
        int index = selected is null ? 0 : Math.Max(0, Shown.ToList().FindIndex(s => s.Id == selected.Id));
        if (Shown.Count > 0)
        {
            Table.Value = new TableSelection(new System.Drawing.Point(0, index));
        }

        Hint.Text = $"Sort: {SegmentQuery.Describe(Sort)} (F6)";
        SetSummary($"{Format.Plural(_all.Count, "segment")}{(Shown.Count == _all.Count ? string.Empty : $", {Format.Count(Shown.Count)} shown")}");
    }
}
