using Onboarding.Tui.Screens.Charts;

namespace Onboarding.Tui.Tests;

public sealed class TextChartTests
{
    private static readonly DateOnly Day = new(2026, 11, 1);

    [Fact]
    public void SizeChart_BarsAreAsTallAsTheirSize_InEighthsOfACell()
    {
        SizePoint[] points = [new(Day, 0), new(Day.AddDays(1), 50), new(Day.AddDays(2), 100), new(Day.AddDays(3), 25)];

        IReadOnlyList<string> lines = SizeChart.Render(points, width: 40, height: 6);

        // 4 rows of bars (32 eighths): 0, 16, 32 and 8 eighths; bars 3 wide with a gap of 1.
        Assert.Equal(
            [
                "100┤        ███",
                "   ┤        ███",
                "   ┤    ███ ███",
                "  0┤    ███ ███ ███",
                "   └────────────────",
                "    2026-11-01 2026-11-04",   // too narrow to put the last date under the last bar
            ],
            lines);
    }

    [Fact]
    public void SizeChart_MorePointsThanColumns_ShowsTheLastOfEachStretch()
    {
        SizePoint[] points = [.. Enumerable.Range(0, 10).Select(i => new SizePoint(Day.AddDays(i), i))];

        Assert.Equal([1, 3, 5, 7, 9], SizeChart.Sample(points, 5).Select(p => (int)p.Size));
        Assert.Single(SizeChart.Render([], 40, 6));
    }

    [Fact]
    public void BarChart_BarLengthIsTheShare_WithCountAndPercent()
    {
        IReadOnlyList<string> lines = BarChart.Render([new("Gold", 15, 0.75), new("(none of them)", 5, 0.25)], width: 60);

        Assert.Equal(
            [
                "Gold           │████████████████████████▊         15  75.0%",    // 75% of 33 cells: 24 and 6 eighths
                "(none of them) │████████▎                          5  25.0%",
            ],
            lines);
    }
}
