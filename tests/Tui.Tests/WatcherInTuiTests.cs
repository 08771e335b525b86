using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Hosting;
using Onboarding.Tui.Screens;
using Onboarding.Tui.Screens.Audiences;
using Onboarding.Tui.Screens.Files;
using Onboarding.Tui.Screens.Segments;
using Onboarding.Watcher.Hosting;
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

    [Fact]
    public async Task NoWatch_LeavesTheInboxAlone_SaysSo_AndStillServesOnboardCommands()
    {
        using var folder = new TempFolder();
        string inbox = folder.File("inbox");
        SampleInbox.Write(inbox);
        using DataFolder data = DataFolder.Open(folder.File("data"));
        var options = new TuiOptions { DataPath = data.Path, InboxPath = inbox, Watch = false };
        using IHost host = TuiHost.Build(options, data, NullLoggerProvider.Instance, watcher => watcher.Inbox.SettlePeriod = TimeSpan.Zero);
        await host.StartAsync();
        try
        {
            (int exit, string output, string error) = OnboardProcess.Run("--data", data.Path, "files", "--json");
            Assert.True(exit == 0, error);
            Assert.Equal("[]", output.Trim());

            // Given the time a watcher needs to take files that are already complete (settle period 0), nothing moved.
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal("inbox: not watched (--no-watch)", host.Services.GetRequiredService<WatcherStatus>().Text);
            Assert.Empty(data.Catalog.ReceivedFiles());
            Assert.True(File.Exists(Path.Combine(inbox, "HEMSHA2_default_20250101.csv")));
            Assert.False(Directory.Exists(Path.Combine(inbox, "processed")));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
