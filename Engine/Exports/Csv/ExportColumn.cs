namespace Onboarding.Engine.Exports.Csv;

public enum ExportColumnKind
{
    Id,
    IdType,
    Audience,
    ExportDate,

    /// <summary>The member's segments in one group, separated by <c>;</c>.</summary>
    Segments,
}

/// <summary>A column of an export file, parsed from its name (<c>id</c>, <c>id_type</c>, <c>audience</c>, <c>export_date</c>, <c>segments:&lt;Group&gt;</c>).</summary>
public sealed record ExportColumn(ExportColumnKind Kind, string Name, string? Group = null)
{
    public const string SegmentsPrefix = "segments:";

    public static ExportColumn Parse(string name)
    {
        string text = (name ?? string.Empty).Trim();
        return text switch
        {
            "id" => new(ExportColumnKind.Id, text),
            "id_type" => new(ExportColumnKind.IdType, text),
            "audience" => new(ExportColumnKind.Audience, text),
            "export_date" => new(ExportColumnKind.ExportDate, text),
            _ when text.StartsWith(SegmentsPrefix, StringComparison.Ordinal) && text.Length > SegmentsPrefix.Length
                => new(ExportColumnKind.Segments, text, text[SegmentsPrefix.Length..].Trim()),
            _ => throw new ExportException(
                $"Unknown export column \"{name}\": use id, id_type, audience, export_date or segments:<Group> (e.g. segments:Loyalty)."),
        };
    }

    /// <summary>Parses a column list; at least one column, no repeats.</summary>
    public static IReadOnlyList<ExportColumn> ParseAll(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            throw new ExportException("An export needs at least one column (id, id_type, audience, export_date or segments:<Group>).");
        }

        List<ExportColumn> columns = [.. names.Select(Parse)];
        if (columns.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new ExportException($"The export column \"{repeated.Key}\" is listed more than once.");
        }

        return columns;
    }
}
