using Onboarding.Engine.Segments;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>
/// The client's segments: group, segment, type, size, last update and version; keyword search, three sort
/// keys (F6 or a header click), Enter opens the segment's version history.
/// </summary>
internal sealed class SegmentsScreen : Screen
{
    private static readonly string[] Columns = ["Group", "Segment", "Type", "Size", "Updated", "Version"];

    private readonly TextField _search;
    private readonly Label _sortLabel;
    private readonly TableView _table;
    private IReadOnlyList<SegmentInfo> _all = [];

    public SegmentsScreen(TuiSession session)
        : base(session)
    {
        Title = "Segments";
        var searchLabel = new Label { Text = "_Search:" };
        _search = new TextField { X = Pos.Right(searchLabel) + 1, Width = 30 };
        _sortLabel = new Label { X = Pos.Right(_search) + 2 };
        _table = Views.Table(3, 5);
        _table.Y = 2;
        _table.Height = Dim.Fill();
        Add(searchLabel, _search, _sortLabel, _table);

        _search.ValueChanged += (_, _) => Show();
        _search.Accepting += (_, e) =>
        {
            _table.SetFocus();
            e.Handled = true;
        };
        _table.Accepting += (_, e) =>
        {
            OpenSelected();
            e.Handled = true;
        };
        _table.Activating += (_, e) =>
        {
            if (e.Context?.Binding is MouseBinding { MouseEvent: { } mouse } && mouse.Position is { } position
                && _table.ScreenToCell(position, out int? headerColumn) is null && headerColumn is { } column
                && column < Columns.Length && SegmentQuery.ForColumn(Columns[column], Sort) is { } sort)
            {
                Sort = sort;
                Show();
            }
        };
        Show();
    }

    public SegmentSort Sort { get; private set; } = SegmentSort.NameAscending;

    /// <summary>The rows as shown, after search and sort.</summary>
    public IReadOnlyList<SegmentInfo> Shown { get; private set; } = [];

    public string SearchText
    {
        get => _search.Value ?? string.Empty;
        set => _search.Value = value;
    }

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

    public override void FocusSearch() => _search.SetFocus();

    public override void Activate() => _table.SetFocus();

    public override bool Back()
    {
        if (_search.HasFocus || SearchText.Length > 0)
        {
            SearchText = string.Empty;
            _table.SetFocus();
            return true;
        }

        return false;
    }

    /// <summary>Opens the version history of the selected segment (Enter or double-click).</summary>
    public void OpenSelected()
    {
        if (_table.Value?.SelectedCell.Y is not { } row || row < 0 || row >= Shown.Count)
        {
            return;
        }

        SegmentInfo segment = Shown[row];
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
        SegmentInfo? selected = _table.Value?.SelectedCell.Y is { } row && row >= 0 && row < Shown.Count ? Shown[row] : null;
        Shown = SegmentQuery.Apply(_all, SearchText, Sort);
        (string sortColumn, string arrow) = SegmentQuery.Indicator(Sort);
        string Header(string name) => name == sortColumn ? $"{name} {arrow}" : name;
        _table.Table = new EnumerableTableSource<SegmentInfo>(Shown, new Dictionary<string, Func<SegmentInfo, object>>
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
            _table.Value = new TableSelection(new System.Drawing.Point(0, index));
        }

        _sortLabel.Text = $"Sort: {SegmentQuery.Describe(Sort)} (F6)";
        SetSummary($"{Format.Plural(_all.Count, "segment")}{(Shown.Count == _all.Count ? string.Empty : $", {Format.Count(Shown.Count)} shown")}");
    }
}
