using System.Diagnostics.CodeAnalysis;
using System.Text;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// A segment, named <c>Group=Segment</c> in onboarding files. Names are compared ordinally (case-sensitive) after
/// the surrounding whitespace of each part is removed. The group is 1 to <see cref="MaxGroupLength"/> characters
/// (Unicode scalar values), the segment is non-empty with no length limit, and neither contains a control
/// character.
/// </summary>
public sealed record SegmentName
{
    /// <summary>The longest group name, in characters (Unicode scalar values).</summary>
    public const int MaxGroupLength = 280;

    /// <summary>Creates a segment name after checking the rules.</summary>
    /// <param name="group">The group; surrounding whitespace is removed.</param>
    /// <param name="segment">The segment; surrounding whitespace is removed.</param>
    /// <exception cref="ArgumentException">A part breaks a rule; the message says which.</exception>
    public SegmentName(string group, string segment)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(segment);
        string? error = CheckGroup(group.AsSpan().Trim()) ?? CheckSegment(segment.AsSpan().Trim());
        if (error is not null)
        {
            throw new ArgumentException(error);
        }

        Group = group.Trim();
        Segment = segment.Trim();
    }

    private SegmentName(string group, string segment, bool _)
    {
        Group = group;
        Segment = segment;
    }

    /// <summary>The group, such as <c>Loyalty Program 2022</c>.</summary>
    public string Group { get; }

    /// <summary>The segment within the group, such as <c>Gold</c>.</summary>
    public string Segment { get; }

    /// <summary>Parses one <c>Group=Segment</c> entry (as the CLI takes it): split at the first <c>=</c>, parts trimmed.
    /// A <c>;</c> is an ordinary character here; the escape <c>\;</c> belongs to the cells of onboarding files.</summary>
    /// <param name="text">The entry.</param>
    /// <param name="name">The segment name, or <see langword="null"/>.</param>
    /// <param name="error">Why the entry is not valid, or <see langword="null"/>.</param>
    /// <returns>Whether the entry is valid.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SegmentName? name, [NotNullWhen(false)] out string? error)
    {
        error = Check(text, out Range group, out Range segment);
        name = error is null ? FromChecked(text[group].ToString(), text[segment].ToString()) : null;
        return error is null;
    }

    /// <summary>Parses one <c>Group=Segment</c> entry; see <see cref="TryParse(ReadOnlySpan{char}, out SegmentName?, out string?)"/>.</summary>
    /// <param name="text">The entry.</param>
    /// <param name="name">The segment name, or <see langword="null"/>.</param>
    /// <returns>Whether the entry is valid.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SegmentName? name) =>
        TryParse(text.AsSpan(), out name, out _);

    /// <summary>Parses one <c>Group=Segment</c> entry.</summary>
    /// <param name="text">The entry.</param>
    /// <returns>The segment name.</returns>
    /// <exception cref="FormatException">The entry is not valid; the message says why.</exception>
    public static SegmentName Parse(string text) =>
        TryParse(text.AsSpan(), out SegmentName? name, out string? error) ? name : throw new FormatException(error);

    /// <summary>A name whose parts were checked by <see cref="Check"/>.</summary>
    internal static SegmentName FromChecked(string group, string segment) => new(group, segment, true);

    /// <summary><c>Group=Segment</c>.</summary>
    /// <returns>The name as written in onboarding files.</returns>
    public override string ToString() => $"{Group}={Segment}";

    /// <summary>Checks an entry and finds its trimmed parts; returns the reason it is invalid, or null.</summary>
    internal static string? Check(ReadOnlySpan<char> text, out Range group, out Range segment)
    {
        group = default;
        segment = default;
        int equals = text.IndexOf('=');
        if (equals < 0)
        {
            return $"missing '=' in '{Shorten(text)}': entries are Group=Segment";
        }

        group = TrimRange(text, 0, equals);
        segment = TrimRange(text, equals + 1, text.Length);
        return CheckGroup(text[group]) ?? CheckSegment(text[segment]);
    }

    private static string? CheckGroup(ReadOnlySpan<char> group)
    {
        if (group.IsEmpty)
        {
            return "empty group name: entries are Group=Segment";
        }

        int length = 0;
        foreach (Rune _ in group.EnumerateRunes())
        {
            length++;
        }

        if (length > MaxGroupLength)
        {
            return $"group name is {length} characters long, the limit is {MaxGroupLength}";
        }

        return CheckControl(group, "group");
    }

    private static string? CheckSegment(ReadOnlySpan<char> segment) =>
        segment.IsEmpty ? "empty segment name: entries are Group=Segment" : CheckControl(segment, "segment");

    private static string? CheckControl(ReadOnlySpan<char> text, string part)
    {
        int position = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            position++;
            if (Rune.IsControl(rune))
            {
                return $"control character {IdCodec.DescribeRune(rune)} at position {position} of the {part} name";
            }
        }

        return null;
    }

    private static Range TrimRange(ReadOnlySpan<char> text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return start..end;
    }

    private static string Shorten(ReadOnlySpan<char> text) =>
        text.Length <= 80 ? text.ToString() : string.Concat(text[..77], "...");
}
