using Onboarding.Engine.Segments;

namespace Onboarding.Tui.Screens.Segments;

/// <summary>The orders the segments table offers (F6 cycles through them, a header click picks one).</summary>
internal enum SegmentSort
{
    NameAscending,
    NameDescending,
    SizeDescending,
    SizeAscending,
    UpdatedNewest,
    UpdatedOldest,
}

/// <summary>Keyword search and sorting of the segments table; plain code so it is tested on its own.</summary>
internal static class SegmentQuery
{
    /// <summary>
    /// The segments whose group or segment name contains every keyword of <paramref name="search"/> (ignoring case),
    /// in the given order.
    /// </summary>
    public static IReadOnlyList<SegmentInfo> Apply(IEnumerable<SegmentInfo> segments, string? search, SegmentSort sort)
    {
        string[] keywords = (search ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        IEnumerable<SegmentInfo> found = segments.Where(s => keywords.All(k => s.Name.Contains(k, StringComparison.OrdinalIgnoreCase)));
        return sort switch
        {
            SegmentSort.NameDescending => [.. found.OrderByDescending(s => s.Group, StringComparer.OrdinalIgnoreCase).ThenByDescending(s => s.Segment, StringComparer.OrdinalIgnoreCase)],
            SegmentSort.SizeDescending => [.. found.OrderByDescending(s => s.Size).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)],
            SegmentSort.SizeAscending => [.. found.OrderBy(s => s.Size).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)],
            SegmentSort.UpdatedNewest => [.. found.OrderByDescending(s => s.Updated).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)],
            SegmentSort.UpdatedOldest => [.. found.OrderBy(s => s.Updated).ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)],
            _ => [.. found.OrderBy(s => s.Group, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Segment, StringComparer.OrdinalIgnoreCase)],
        };
    }

    public static SegmentSort Next(SegmentSort sort) => (SegmentSort)(((int)sort + 1) % Enum.GetValues<SegmentSort>().Length);

    public static string Describe(SegmentSort sort) => sort switch
    {
        SegmentSort.NameAscending => "name A-Z",
        SegmentSort.NameDescending => "name Z-A",
        SegmentSort.SizeDescending => "size largest",
        SegmentSort.SizeAscending => "size smallest",
        SegmentSort.UpdatedNewest => "updated newest",
        _ => "updated oldest",
    };

    /// <summary>The sort a click on a column header picks: that column's first order, or its other one if already sorted by it.</summary>
    public static SegmentSort? ForColumn(string column, SegmentSort current) => column switch
    {
        "Group" or "Segment" => current == SegmentSort.NameAscending ? SegmentSort.NameDescending : SegmentSort.NameAscending,
        "Size" => current == SegmentSort.SizeDescending ? SegmentSort.SizeAscending : SegmentSort.SizeDescending,
        "Updated" => current == SegmentSort.UpdatedNewest ? SegmentSort.UpdatedOldest : SegmentSort.UpdatedNewest,
        _ => null,
    };

    /// <summary>The column that shows the sort order, and its arrow.</summary>
    public static (string Column, string Arrow) Indicator(SegmentSort sort) => sort switch
    {
        SegmentSort.NameAscending => ("Group", "▲"),
        SegmentSort.NameDescending => ("Group", "▼"),
        SegmentSort.SizeDescending => ("Size", "▼"),
        SegmentSort.SizeAscending => ("Size", "▲"),
        SegmentSort.UpdatedNewest => ("Updated", "▼"),
        _ => ("Updated", "▲"),
    };
}
