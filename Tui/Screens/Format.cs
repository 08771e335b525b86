using System.Globalization;
using Onboarding.Engine.Segments;

namespace Onboarding.Tui.Screens;

/// <summary>How numbers, times and types read on every screen.</summary>
internal static class Format
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Reads a date typed as yyyy-MM-dd; the problem names the field and the form expected.</summary>
    public static bool TryParseDate(string text, string field, out DateOnly date, out string problem)
    {
        bool ok = DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        problem = ok ? string.Empty : $"{field}: \"{text}\" is not a date; type it as yyyy-MM-dd (e.g. 2026-11-23).";
        return ok;
    }

    /// <summary>A share (0..1) as a percentage with one decimal: "7.5%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Type(SegmentType type) => type == SegmentType.Static ? "static" : "dynamic";

    public static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static string Plural(long count, string noun) => $"{Count(count)} {noun}{(count == 1 ? string.Empty : "s")}";
}
