using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Ingestion.Parsing;
using Onboarding.Engine.Segments;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>Something a builder row can refer to, as the picker lists it.</summary>
internal sealed record PickerItem(AudienceTerm Term, string Kind, long? Size)
{
    public string Text => Term.ToString();
}

/// <summary>
/// Picks what a builder row refers to: a segment, a whole group, or another audience or snapshot. Typing filters
/// (every keyword must appear); Enter picks the highlighted row.
/// </summary>
internal sealed class SegmentPickerDialog : Dialog
{
    public static readonly KeyMap Keys = new("Segment picker");
    public static readonly KeyAction TypeKey = Keys.Describe("type", "filter groups, segments and audiences by every keyword");
    public static readonly KeyAction DownKey = Keys.Describe("↓ ↑", "move between the search box and the list");
    public static readonly KeyAction PickKey = Keys.Describe("Enter", "pick the highlighted row (or double-click it)");

    private readonly IReadOnlyList<PickerItem> _all;
    private readonly TextField _search;
    private readonly TableView _table;

    public SegmentPickerDialog(IReadOnlyList<PickerItem> items)
    {
        _all = items;
        HotKeySpecifier = Views.NoHotKey;
        Title = "Add a row: pick a segment, a whole group or an audience";
        Width = Dim.Percent(70);
        Height = Dim.Percent(70);
        var searchLabel = new Label { Text = "Search:" };
        _search = new TextField { X = Pos.Right(searchLabel) + 1, Width = Dim.Fill() };
        _table = Views.Table(2);
        _table.Y = 2;
        _table.Height = Dim.Fill(1);
        Add(searchLabel, _search, _table);
        AddButton(new Button { Text = "Cancel" });
        var pick = new Button { Text = "Pick", IsDefault = true };
        pick.Accepting += (_, e) =>
        {
            Choose();
            e.Handled = true;
        };
        AddButton(pick);

        _search.ValueChanged += (_, _) => Filter();
        _search.KeyDown += (_, key) =>
        {
            if (key == Key.CursorDown)
            {
                _table.SetFocus();
                key.Handled = true;
            }
        };
        _search.Accepting += (_, e) =>
        {
            Choose();
            e.Handled = true;
        };
        _table.Accepting += (_, e) =>
        {
            Choose();
            e.Handled = true;
        };
        Filter();
        _search.SetFocus();
    }

    /// <summary>The rows the search leaves, in order.</summary>
    public IReadOnlyList<PickerItem> Shown { get; private set; } = [];

    /// <summary>What was picked, or null when cancelled.</summary>
    public AudienceTerm? Picked { get; private set; }

    public string SearchText
    {
        get => _search.Value ?? string.Empty;
        set => _search.Value = value;
    }

    /// <summary>Groups (whole), then segments, then audiences and snapshots of a client.</summary>
    public static IReadOnlyList<PickerItem> Items(IReadOnlyList<SegmentInfo> segments, IReadOnlyList<Audience> audiences, IReadOnlyList<AudienceSnapshot> snapshots, string? editing)
    {
        IEnumerable<PickerItem> groups = segments.GroupBy(s => s.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new PickerItem(new GroupTerm(g.Key), $"group · {Format.Plural(g.Count(), "segment")}", null));
        IEnumerable<PickerItem> named = segments.OrderBy(s => s.Group, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Segment, StringComparer.OrdinalIgnoreCase)
            .Select(s => new PickerItem(new SegmentTerm(new SegmentName(s.Group, s.Segment)), $"segment · {Format.Type(s.Type)}", s.Size));
        IEnumerable<PickerItem> others = audiences.Where(a => a.Name != editing).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
            .Select(a => new PickerItem(new ReferenceTerm(a.Name), $"audience · {Format.Lower(a.Status)}", a.Size));
        IEnumerable<PickerItem> frozen = snapshots.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .Select(s => new PickerItem(new ReferenceTerm(s.Name), "snapshot", s.Size));
        return [.. groups, .. named, .. others, .. frozen];
    }

    private void Filter()
    {
        string[] keywords = SearchText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Shown = [.. _all.Where(i => keywords.All(k => i.Text.Contains(k, StringComparison.OrdinalIgnoreCase) || i.Kind.Contains(k, StringComparison.OrdinalIgnoreCase)))];
        _table.Table = new EnumerableTableSource<PickerItem>(Shown, new Dictionary<string, Func<PickerItem, object>>
        {
            ["Row refers to"] = i => i.Text,
            ["Kind"] = i => i.Kind,
            ["Size"] = i => i.Size is { } size ? Format.Count(size) : string.Empty,
        });
        if (Shown.Count > 0)
        {
            _table.Value = new TableSelection(new System.Drawing.Point(0, 0));
        }
    }

    private void Choose()
    {
        if (_table.Value?.SelectedCell.Y is { } row && row >= 0 && row < Shown.Count)
        {
            Picked = Shown[row].Term;
            RequestStop();
        }
    }
}
