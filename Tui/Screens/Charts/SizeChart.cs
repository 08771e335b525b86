namespace Onboarding.Tui.Screens.Charts;

/// <summary>One point of a size-over-time chart.</summary>
internal sealed record SizePoint(DateOnly Date, long Size);

/// <summary>
/// A size-over-time chart in text: one vertical bar per point drawn with block characters (eighths of a cell), the
/// largest size and 0 on the Y axis, the first and last dates under the X axis. Plain code, so it is tested alone.
/// </summary>
internal static class SizeChart
{
    private const string Eighths = " ▁▂▃▄▅▆▇█";

    /// <summary>The chart as <paramref name="height"/> lines of at most <paramref name="width"/> characters.</summary>
    /// <remarks>When there are more points than columns, each column shows the last point of its stretch of days.</remarks>
    public static IReadOnlyList<string> Render(IReadOnlyList<SizePoint> points, int width, int height)
    {
        if (points.Count == 0)
        {
            return ["No processing runs in this range yet."];
        }

        int rows = Math.Max(1, height - 2);
        long max = Math.Max(1, points.Max(p => p.Size));
        string top = Format.Count(max);
        int axis = top.Length + 1;
        int columns = Math.Max(1, width - axis - 1);
        IReadOnlyList<SizePoint> shown = Sample(points, columns);
        int pitch = Math.Clamp(columns / shown.Count, 1, 4);
        int bar = pitch >= 2 ? pitch - 1 : 1;

        var lines = new List<string>(rows + 2);
        for (int row = 0; row < rows; row++)
        {
            string label = row == 0 ? top : row == rows - 1 ? "0" : string.Empty;
            var line = new System.Text.StringBuilder(label.PadLeft(axis - 1)).Append('┤');
            foreach (SizePoint point in shown)
            {
                long eighths = (long)Math.Round((double)point.Size / max * rows * 8);
                int level = (int)Math.Clamp(eighths - ((long)(rows - 1 - row) * 8), 0, 8);
                line.Append(Eighths[level], bar).Append(' ', pitch - bar);
            }

            lines.Add(line.ToString().TrimEnd());
        }

        lines.Add(new string(' ', axis - 1) + "└" + new string('─', shown.Count * pitch));
        string first = Format.Date(shown[0].Date);
        string last = Format.Date(shown[^1].Date);
        int lastAt = axis + ((shown.Count - 1) * pitch);
        lines.Add(shown.Count == 1 || lastAt < axis + first.Length + 1
            ? new string(' ', axis) + (shown.Count == 1 ? first : $"{first} … {last}")
            : (new string(' ', axis) + first).PadRight(Math.Max(axis + first.Length + 1, lastAt + bar - last.Length)) + last);
        return lines;
    }

    /// <summary>At most <paramref name="columns"/> points: the last one of each equal stretch.</summary>
    internal static IReadOnlyList<SizePoint> Sample(IReadOnlyList<SizePoint> points, int columns)
    {
        if (points.Count <= columns)
        {
            return points;
        }

        return [.. Enumerable.Range(1, columns).Select(i => points[(int)(((long)i * points.Count / columns) - 1)])];
    }
}
