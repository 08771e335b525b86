namespace Onboarding.Tui.Screens.Charts;

/// <summary>One bar of a horizontal bar chart: a label, a count and its share (0..1) of the whole.</summary>
internal sealed record ShareBar(string Label, long Count, double Share);

/// <summary>A horizontal bar chart in text: label, a bar as long as the share (eighths of a cell), count and %.</summary>
internal static class BarChart
{
    private const string Eighths = " ▏▎▍▌▋▊▉█";

    public static IReadOnlyList<string> Render(IReadOnlyList<ShareBar> bars, int width)
    {
        if (bars.Count == 0)
        {
            return [];
        }

        int label = Math.Min(bars.Max(b => b.Label.Length), Math.Max(8, width / 3));
        string[] counts = [.. bars.Select(b => Format.Count(b.Count))];
        int count = counts.Max(c => c.Length);
        int length = Math.Max(1, width - label - count - 11);
        return [.. bars.Select((b, i) =>
        {
            string name = b.Label.Length > label ? b.Label[..(label - 1)] + "…" : b.Label.PadRight(label);
            return $"{name} │{Bar(b.Share, length)} {counts[i].PadLeft(count)} {Format.Percent(b.Share),6}";
        })];
    }

    private static string Bar(double share, int length)
    {
        int eighths = (int)Math.Round(Math.Clamp(share, 0, 1) * length * 8);
        string bar = new string('█', eighths / 8) + (eighths % 8 == 0 ? string.Empty : Eighths[eighths % 8].ToString());
        return bar.PadRight(length);
    }
}
