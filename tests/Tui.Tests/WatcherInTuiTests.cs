using System.Text;
using Onboarding.Engine.Inbox;
using Onboarding.Tui.Screens;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Tests;

/// <summary>The watcher's services inside the TUI process: files dropped in the inbox show up live, and the process serves onboard commands.</summary>
public sealed class WatcherInTuiTests
{
    [Fact]
    public void AFileDroppedWhileTheUiRuns_ShowsOnTheIngestionScreen_AndItsSegmentsOnTheSegmentsScreen()
    {
        using TuiHarness tui = TuiHarness.Start();
        tui.WaitUntil(() => tui.Window.StatusText.Contains($"inbox: watching {tui.Inbox}", StringComparison.Ordinal), "the watcher's state on the status line");

        // The files present at the start went through the lifecycle: out of the inbox, into processed/<date>/<client>/.
        Assert.Empty(Directory.GetFiles(tui.Inbox, "*.csv"));
        Assert.Single(Directory.GetFiles(Path.Combine(tui.Inbox, "processed"), "HEMSHA2_default_20250101.csv", SearchOption.AllDirectories));
        Assert.Single(Directory.GetFiles(Path.Combine(tui.Inbox, "processed"), "HEMSHA2_acme_20250102.csv", SearchOption.AllDirectories));

        tui.Press(Key.F3);
        var files = Assert.IsType<FilesScreen>(tui.Window.Current);
        var dropped = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int n = 500; n < 503; n++)
        {
            dropped.Append("HEMSHA2,").Append(SampleInbox.Hem(n)).Append(",Interest=Chess,\n");
        }

        string final = Path.Combine(tui.Inbox, "HEMSHA2_default_20250110.csv");
        File.WriteAllText(final + ".part", dropped.ToString());
        File.Move(final + ".part", final);

        tui.WaitUntil(() => files.Shown.Any(f => f.Name == "HEMSHA2_default_20250110.csv" && f.State == ReceivedFileState.Processed), "the dropped file on the Ingestion screen");
        Assert.Matches(@"│HEMSHA2_default_20250110\.csv│delta\s*│processed│applied\s*│\s*3│\s*3│\s*0│", tui.Screen);

        tui.Press(Key.F2);
        var segments = Assert.IsType<SegmentsScreen>(tui.Window.Current);
        tui.WaitUntil(() => segments.Shown.Any(s => s.Name == "Interest=Chess"), "the dropped file's segment on the Segments screen");
        Assert.Matches(@"│Interest\s*│Chess\s*│dynamic│\s*3│", tui.Screen);
    }

    [Fact]
    public void OnboardCommands_RunInsideTheTuiProcess_AndTheUiSeesWhatTheyChange()
    {
        using TuiHarness tui = TuiHarness.Start();

        (int exit, string json, string error) = OnboardProcess.Run("--data", tui.DataPath, "files", "--client", "default", "--json");
        Assert.True(exit == 0, error);
        Assert.Contains("\"name\": \"HEMSHA2_default_20250108.csv\"", json, StringComparison.Ordinal);

        (exit, _, error) = OnboardProcess.Run("--data", tui.DataPath, "audience", "create", "Gold runners", "--expr", "\"Loyalty=Gold\" AND \"Interest=Running\"");
        Assert.True(exit == 0, error);
        tui.Press(Key.F4);
        tui.Press(Key.F5);
        var audiences = Assert.IsType<AudiencesScreen>(tui.Window.Current);
        tui.WaitUntil(() => audiences.Shown.Any(a => a.Name == "Gold runners"), "the audience created by onboard on the Audiences screen");

        (exit, _, error) = OnboardProcess.Run("--data", tui.DataPath, "audience", "create", "Nothing", "--expr", "\"Tier=Gold\"");
        Assert.Equal(1, exit);
        Assert.Contains("unknown group \"Tier\"", error, StringComparison.Ordinal);
    }
}
