using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;
using Onboarding.Tui.Screens.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Tests;

/// <summary>
/// The audience detail over an audience "Gold" (Loyalty=Gold) processed on 2026-11-01 (10 members) and, after 5
/// members moved up from Silver, on 2026-11-02 (15 members).
/// </summary>
public sealed class AudienceDetailTests
{
    private static readonly DateOnly First = new(2026, 11, 1);
    private static readonly DateOnly Second = new(2026, 11, 2);

    private static TuiHarness StartWithHistory()
    {
        TuiHarness tui = TuiHarness.Start(inbox => SampleInbox.Write(inbox, withTierMove: false, withAcme: false));
        tui.OnEngine(data =>
        {
            // Activation processes "today": the first processing date.
            var audiences = new AudienceService(data, "default", time: new FakeTimeProvider(new DateTimeOffset(First.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero)));
            audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
            return audiences.Activate("Gold");
        });
        int received = tui.OnEngine(data => data.Catalog.ReceivedFiles().Count);
        SampleInbox.WriteFile(Path.Combine(tui.Inbox, "HEMSHA2_default_20250108.csv"), "ID Type,ID,Add,Remove\n" + string.Concat(
            Enumerable.Range(11, 5).Select(n => $"HEMSHA2,{SampleInbox.Hem(n)},Loyalty=Gold,Loyalty=Silver\n")));
        tui.WaitForFiles(received + 1);
        tui.OnEngine(data => new AudienceService(data, "default").Process(Second));
        return tui;
    }

    private static Audience Gold(TuiHarness tui) => tui.OnEngine(data => new AudienceService(data, "default").Get("Gold"));

    [Fact]
    public void Details_ChartsTheSizeHistory_ForTheDateRange()
    {
        using TuiHarness tui = StartWithHistory();
        using var detail = new AudienceDetailDialog(tui.Session, Gold(tui));
        using IDisposable shown = tui.Show(detail);
        tui.WaitUntil(() => detail.History is { Count: 2 }, "the history");

        string screen = tui.Screen;
        Assert.Contains("Estimated size: 15  ·  7.5% of base", screen);
        Assert.Contains("Targeting summary: Members of:", screen);
        Assert.Contains("+ include  \"Loyalty=Gold\"", screen);
        Assert.Equal(("2026-11-01", "2026-11-02"), (detail.Range.From, detail.Range.To));

        // The chart: 15 at the top of the axis, the second bar a third taller than the first, both dates under it.
        string[] chart = [.. screen.Split('\n').SkipWhile(l => !l.Contains("15┤", StringComparison.Ordinal)).TakeWhile(l => !l.Contains('└', StringComparison.Ordinal))];
        Assert.NotEmpty(chart);
        int rows = chart.Length;
        int Height(int bar) => chart.Count(line => line.Split('┤')[1] is { } bars && bars.Length > bar * 4 && bars[bar * 4] != ' ');   // bars 3 wide, 1 apart
        Assert.Equal(rows, Height(1));
        Assert.InRange(Height(0), (rows * 2 / 3) - 1, (rows * 2 / 3) + 1);
        Assert.Matches(@"2026-11-01 … 2026-11-02", screen);

        // A narrower range shows only its points.
        detail.Range.From = "2026-11-02";
        detail.LoadHistory();
        tui.WaitUntil(() => detail.History is { Count: 1 }, "the narrower range");
        Assert.Equal(Second, detail.History![0].Date);

        detail.Range.From = "2026-13-01";
        detail.LoadHistory();
        Assert.Contains("From: \"2026-13-01\" is not a date; type it as yyyy-MM-dd", detail.Status);
    }

    [Fact]
    public void Composition_DefaultsToTheGroupWithMostSegments_CountsMatchTheEngine_AnotherGroupOnSelection()
    {
        using TuiHarness tui = StartWithHistory();
        using var detail = new AudienceDetailDialog(tui.Session, Gold(tui));
        using IDisposable shown = tui.Show(detail);
        tui.Press(Key.C.WithAlt);
        tui.WaitUntil(() => detail.Composition is not null, "the composition");

        AudienceComposition engine = tui.OnEngine(data => new AudienceService(data, "default").Composition("Gold"));
        Assert.Equal("Loyalty", detail.Composition!.Group);
        Assert.Equal(engine.Rows, detail.Composition.Rows);
        string screen = tui.Screen;
        foreach (CompositionRow row in engine.Rows)
        {
            Assert.Matches($@"│{row.Segment ?? "\\(none of them\\)"}\s*│\s*{row.Count}│\s*{System.Text.RegularExpressions.Regex.Escape(Screens.Format.Percent(row.ShareOfAudience))}│", screen);
        }

        Assert.Matches(@"Gold\s+│█+\s+15\s+100\.0%", screen);

        // The group list is sorted: Campaign, Interest, Loyalty; Up picks Interest.
        tui.Press(Key.Tab);     // from the tab header into the group list
        tui.Press(Key.CursorUp);
        tui.WaitUntil(() => detail.Composition?.Group == "Interest", "the Interest composition");
        Assert.Equal(tui.OnEngine(data => new AudienceService(data, "default").Composition("Gold", "Interest")).Rows, detail.Composition!.Rows);
    }

    [Fact]
    public void Exports_TabShowsThisAudiencesConfigurationsAndRuns()
    {
        using TuiHarness tui = StartWithHistory();
        using var drop = new TempFolder();
        tui.OnEngine(data =>
        {
            new AudienceService(data, "default").Create("Everyone", "\"Loyalty=*\"", "ana");
            var exports = new ExportService(data.Path, "default");
            exports.SetMinimumAudienceSize(1);
            exports.AddFolderDestination("drop", drop.Path, "ana");
            exports.Create(new ExportConfiguration { Name = "gold-drop", Audience = "Gold", FileNameTemplate = "gold_{yyyyMMddHHmmss}.csv", Destination = "drop", CreatedBy = "bo", Schedule = new() { Start = new DateTime(2026, 11, 24, 6, 0, 0) } });
            exports.Create(new ExportConfiguration { Name = "everyone-drop", Audience = "Everyone", FileNameTemplate = "all.csv", Destination = "drop", CreatedBy = "bo", Schedule = new() { Start = new DateTime(2026, 11, 24, 6, 0, 0) } });
            return new ExportRunner(data, "default", SecretProtector.Open(data.Path)).RunAsync("gold-drop", DateTimeOffset.UtcNow, CancellationToken.None).GetAwaiter().GetResult();
        });
        using var detail = new AudienceDetailDialog(tui.Session, Gold(tui));
        using IDisposable shown = tui.Show(detail);
        tui.WaitUntil(() => detail.Exports is not null, "the exports");
        tui.Press(Key.X.WithAlt);

        Assert.Equal(["gold-drop"], detail.Exports!.Exports.Select(e => e.Name));
        Assert.Equal([("gold-drop", ExportRunState.Complete, 15L)], detail.Exports.Runs.Select(r => (r.Export, r.State, r.Rows)));
        string screen = tui.Screen;
        Assert.Matches(@"│Gold\s*│gold-drop\s*│one-time", screen);
        Assert.Matches(@"│complete\s*│[^│]+│Gold\s*│gold-drop\s*│one-time\s*│csv, full\s*│\s*15│gold_", screen);
        Assert.DoesNotContain("everyone-drop", screen);
    }

    [Fact]
    public void Snapshot_AsksForAName_AndFreezesTheMembers()
    {
        using TuiHarness tui = StartWithHistory();
        using var detail = new AudienceDetailDialog(tui.Session, Gold(tui));
        using IDisposable shown = tui.Show(detail);

        tui.Answer<NamePromptDialog>(prompt =>
        {
            // The suggested name is selected, so typing replaces it.
            foreach (char c in "Gold Q4")
            {
                Terminal.Gui.Testing.InputInjectionExtensions.InjectKey(tui.App, new Key(c));
            }

            TuiHarness.Click(prompt, "OK");
        });
        tui.Press(Key.F2);
        tui.WaitUntil(() => detail.Status.StartsWith("Snapshot", StringComparison.Ordinal), "the snapshot");

        AudienceSnapshot snapshot = Assert.Single(tui.OnEngine(data => new AudienceService(data, "default").Snapshots()));
        Assert.Equal(("Gold Q4", 15L), (snapshot.Name, snapshot.Size));
        Assert.Contains($"Snapshot \"{snapshot.Name}\" saved: 15 members", detail.Status);
    }

    [Fact]
    public void Overlap_OfTheMarkedAudiences_MatchesTheEngine()
    {
        using TuiHarness tui = StartWithHistory();
        tui.OnEngine(data => new AudienceService(data, "default").Create("Runners", "\"Interest=Running\"", "bo"));
        using var overlap = new AudienceOverlapDialog(tui.Session, "Gold");
        using IDisposable shown = tui.Show(overlap);
        tui.WaitUntil(() => overlap.Marked.Count == 1, "the audiences");

        tui.Press(Key.F5);
        tui.WaitUntil(() => overlap.Status.Contains("2 to 10", StringComparison.Ordinal), "the refusal of a single audience");

        overlap.Mark("Runners");
        tui.Press(Key.F5);
        tui.WaitUntil(() => overlap.Matrix is not null, "the matrix");
        OverlapMatrix engine = tui.OnEngine(data => new AudienceService(data, "default").Overlap(["Gold", "Runners"]));
        Assert.Equal(engine.Sizes, overlap.Matrix!.Sizes);
        Assert.Equal(engine.Counts.Select(r => r.ToArray()), overlap.Matrix.Counts.Select(r => r.ToArray()));
        Assert.Equal(3, engine.Counts[0][1]);   // Gold is IDs 1-15; 4, 8 and 12 run
        Assert.Matches(@"│1│Gold\s*│\s*15│15 \(100\.0%\)\s*│3 \(20\.0%\)\s*│", tui.Screen);
        Assert.Matches(@"│2│Runners\s*│\s*50│3 \(6\.0%\)\s*│50 \(100\.0%\)\s*│", tui.Screen);
    }

    [Fact]
    public void Diff_BetweenTwoProcessingDates_CountsWhoEnteredAndLeft()
    {
        using TuiHarness tui = StartWithHistory();
        IReadOnlyList<AudienceSizePoint> history = tui.OnEngine(data => new AudienceService(data, "default").History("Gold"));
        using var diff = new AudienceDiffDialog(tui.Session, "Gold", history);
        using IDisposable shown = tui.Show(diff);
        Assert.Equal(("2026-11-01", "2026-11-02"), (diff.Range.From, diff.Range.To));

        tui.Press(Key.F5);
        tui.WaitUntil(() => diff.Diff is not null, "the diff");
        Assert.Equal(tui.OnEngine(data => new AudienceService(data, "default").Diff("Gold", First, Second).Diff), diff.Diff);
        Assert.Contains("entered: 5   left: 0", tui.Screen);

        diff.Range.From = "2026-10-01";
        diff.Compare();
        tui.WaitUntil(() => diff.Outcome.Contains("no membership kept", StringComparison.Ordinal), "the engine's refusal");
        Assert.Contains("kept dates: 2026-11-01, 2026-11-02", diff.Outcome);
    }
}
