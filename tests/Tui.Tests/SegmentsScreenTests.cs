using Onboarding.Tui.Screens;
using Onboarding.Tui.Screens.Segments;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Tests;

public sealed class SegmentsScreenTests
{
    [Fact]
    public void Table_ShowsTheIngestedSegmentsWithTypeSizeAndVersion()
    {
        using TuiHarness tui = TuiHarness.Start();
        SegmentsScreen screen = Assert.IsType<SegmentsScreen>(tui.Window.Current);

        Assert.Equal(["Campaign=Spring", "Interest=Running", "Loyalty=Bronze", "Loyalty=Gold", "Loyalty=Silver"], screen.Shown.Select(s => s.Name));
        string text = tui.Screen;
        Assert.Contains("Group ▲", text);
        Assert.Matches(@"│Loyalty\s*│Gold\s*│dynamic│\s*15│[^│]*│\s*2│", text);   // 10 + 5 moved up from Silver, version 2
        Assert.Matches(@"│Loyalty\s*│Silver\s*│dynamic│\s*35│", text);
        Assert.Matches(@"│Campaign\s*│Spring\s*│static\s*│\s*30│", text);
        Assert.Contains("5 segments", tui.Window.StatusText);
        Assert.Contains("client: default", tui.Window.StatusText);
    }

    [Fact]
    public void Search_FiltersByKeyword_AndEscClearsIt()
    {
        using TuiHarness tui = TuiHarness.Start();
        var screen = (SegmentsScreen)tui.Window.Current;

        tui.Press(Key.F.WithCtrl);
        tui.Type("loyalty g");

        Assert.Equal(["Loyalty=Gold"], screen.Shown.Select(s => s.Name));
        string text = tui.Screen;
        Assert.Contains("Search: loyalty g", text);
        Assert.DoesNotContain("Silver", text);
        Assert.Contains("1 shown", tui.Window.StatusText);

        tui.Press(Key.Esc);
        tui.WaitUntil(() => screen.Shown.Count == 5, "Esc to clear the search");
        Assert.True(tui.Window.IsRunning, "Esc clears the search; it does not quit");
    }

    [Fact]
    public void F6_CyclesTheSortOrder()
    {
        using TuiHarness tui = TuiHarness.Start();
        var screen = (SegmentsScreen)tui.Window.Current;

        tui.Press(Key.F6);
        Assert.Equal(SegmentSort.NameDescending, screen.Sort);
        Assert.Equal("Loyalty=Silver", screen.Shown[0].Name);
        Assert.Contains("Group ▼", tui.Screen);

        tui.Press(Key.F6);
        Assert.Equal(SegmentSort.SizeDescending, screen.Shown.Count > 0 ? screen.Sort : default);
        Assert.Equal(["Loyalty=Bronze", "Interest=Running", "Loyalty=Silver", "Campaign=Spring", "Loyalty=Gold"], screen.Shown.Select(s => s.Name));
        Assert.Contains("Size ▼", tui.Screen);
        Assert.Contains("Sort: size largest", tui.Screen);
    }

    [Fact]
    public void Enter_OpensTheSegmentWithItsVersionHistory()
    {
        using TuiHarness tui = TuiHarness.Start();
        var screen = (SegmentsScreen)tui.Window.Current;
        tui.Press(Key.CursorDown);
        tui.Press(Key.CursorDown);
        tui.Press(Key.CursorDown);
        Assert.Equal("Loyalty=Gold", screen.Shown[3].Name);

        string dialog = tui.WithDialog<SegmentDetailDialog>(() => tui.Press(Key.Enter));

        Assert.Contains("Segment Loyalty=Gold", dialog);
        Assert.Contains("Size over time (one bar per version):", dialog);
        Assert.Matches(@"15┤ {4}███", dialog);            // version 2 (15) full height, version 1 (10) lower
        Assert.Matches(@" 0┤███ ███", dialog);
        Assert.Contains("Version history", dialog);
        Assert.Matches(@"│\s*2│[^│]*│\s*15│\s*\+5│\s*0│delta│HEMSHA2_default_20250108\.csv", dialog);
        Assert.Matches(@"│\s*1│[^│]*│\s*10│\s*\+10│\s*0│delta│HEMSHA2_default_20250101\.csv", dialog);
    }

    [Fact]
    public void Query_SearchMatchesGroupAndSegment_SortsBySizeAndDate()
    {
        var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Engine.Segments.SegmentInfo[] segments =
        [
            new("c", 1, "Loyalty", "Gold", Engine.Segments.SegmentType.Dynamic, t0, t0.AddDays(3), 1, 10),
            new("c", 2, "Loyalty", "Silver", Engine.Segments.SegmentType.Dynamic, t0, t0.AddDays(1), 1, 30),
            new("c", 3, "Interest", "Golf", Engine.Segments.SegmentType.Static, t0, t0.AddDays(2), 1, 20),
        ];

        Assert.Equal(["Interest=Golf", "Loyalty=Gold"], SegmentQuery.Apply(segments, "gol", SegmentSort.NameAscending).Select(s => s.Name));
        Assert.Equal(["Loyalty=Gold"], SegmentQuery.Apply(segments, "loy GOL", SegmentSort.NameAscending).Select(s => s.Name));
        Assert.Equal([1, 3, 2], SegmentQuery.Apply(segments, "", SegmentSort.SizeAscending).Select(s => s.Id));
        Assert.Equal([1, 3, 2], SegmentQuery.Apply(segments, null, SegmentSort.UpdatedNewest).Select(s => s.Id));
        Assert.Equal(SegmentSort.NameAscending, SegmentQuery.Next(SegmentSort.UpdatedOldest));
        Assert.Equal(SegmentSort.SizeAscending, SegmentQuery.ForColumn("Size", SegmentSort.SizeDescending));
    }
}
