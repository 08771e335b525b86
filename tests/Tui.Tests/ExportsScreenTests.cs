using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Tui.Screens.Exports;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Tests;

/// <summary>
/// The Manage exports screen (F7) and the export builder over the sample inbox, an active audience "Gold"
/// (Loyalty=Gold: IDs 1-15) and a local folder destination "drop"; the client's minimum export size is lowered to 1
/// so the small sample audience may be exported.
/// </summary>
public sealed class ExportsScreenTests : IDisposable
{
    private readonly TempFolder _drop = new();

    public void Dispose() => _drop.Dispose();

    private TuiHarness StartWithGold()
    {
        TuiHarness tui = TuiHarness.Start();
        tui.OnEngine(data =>
        {
            var audiences = new AudienceService(data, "default");
            audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
            audiences.Activate("Gold");
            var exports = new ExportService(data.Path, "default");
            exports.SetMinimumAudienceSize(1);
            return exports.AddFolderDestination("drop", _drop.Path, "ana");
        });
        return tui;
    }

    private static ExportConfiguration GoldExport(string name = "gold-daily") => new()
    {
        Name = name,
        Audience = "Gold",
        FileNameTemplate = "{export}_{yyyyMMdd_HHmmss}.csv",
        Destination = "drop",
        Format = new ExportFormat { Header = false, Columns = ["id"] },
        Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 11, 24, 6, 0, 0), EndDate = new DateOnly(2026, 12, 31) },
        CreatedBy = "bo",
    };

    private static ExportsScreen ShowExports(TuiHarness tui)
    {
        tui.Press(Key.F7);
        var screen = Assert.IsType<ExportsScreen>(tui.Window.Current);
        return screen;
    }

    /// <summary>Like Assert.Matches, but a failure shows the whole screen.</summary>
    private static void AssertShows(string pattern, string screen) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(screen, pattern), $"the screen does not match {pattern}:\n{screen}");

    private static string[] ExpectedGoldIds() => [.. Enumerable.Range(1, 15).Select(SampleInbox.Hem).Order(StringComparer.Ordinal)];

    [Fact]
    public void EachTab_ShowsTheEngineData()
    {
        using TuiHarness tui = StartWithGold();
        using var gpg = new GpgHome();
        tui.OnEngine(data =>
        {
            var exports = new ExportService(data.Path, "default");
            exports.AddEncryption("partner", [gpg.ExportPublicKey()], "cy");
            exports.Create(GoldExport());
            return exports.Create(GoldExport("gold-once") with { Schedule = new ExportSchedule { Start = new DateTime(2026, 11, 24, 6, 0, 0) }, Encryption = "partner" });
        });
        ExportsScreen screen = ShowExports(tui);
        tui.WaitUntil(() => screen.Shown.Exports.Count == 2, "the configurations");
        string text = tui.Screen;
        AssertShows(@"│Gold\s*│gold-daily\s*│recurring\s*│daily at 06:00 UTC from 2026-[^│]*│2026-12-31\s*│csv, full\s*│drop: /tmp/[^│]*│paused\s*│bo\s*│", text);
        AssertShows(@"│Gold\s*│gold-once\s*│one-time\s*│once on 2026-11-24 at 06:00[^│]*│-\s*│csv, full\s*│drop: /tmp/[^│]*│paused\s*│bo\s*│", text);
        Assert.Contains("2 exports, 0 active, 0 runs", tui.Window.StatusText);

        tui.OnEngine(data => new ExportRunner(data, "default", Engine.Security.SecretProtector.Open(data.Path)).RunAsync("gold-daily", DateTimeOffset.UtcNow, CancellationToken.None).GetAwaiter().GetResult());
        tui.Press(Key.F5);
        tui.WaitUntil(() => screen.Shown.Runs.Count == 1, "the run");
        tui.Press(Key.S.WithAlt);
        Assert.Same(screen.HistoryTab, screen.Tabs.Value);
        ExportRun run = screen.Shown.Runs[0];
        AssertShows($@"│complete\s*│[^│]+│Gold\s*│gold-daily\s*│recurring\s*│csv, full\s*│\s*15│{run.FileName![..15]}[^│]*│/tmp/[^│]*│bo\s*│", tui.Screen);

        tui.Press(Key.D.WithAlt);
        Assert.Same(screen.DestinationsTab, screen.Tabs.Value);
        AssertShows($@"│drop\s*│folder\s*│\(local\)\s*│{System.Text.RegularExpressions.Regex.Escape(_drop.Path)}\s*│-\s*│-\s*│ana", tui.Screen);

        tui.Press(Key.E.WithAlt);
        Assert.Same(screen.EncryptionsTab, screen.Tabs.Value);
        AssertShows(@"│partner\s*│pgp\s*│[^│]*" + "Onboarding Test" + @"[^│]*│cy", tui.Screen);
    }

    [Fact]
    public void Builder_RefusesBadFields_WithTheMessage_AndSavesNothing()
    {
        using TuiHarness tui = StartWithGold();
        using var builder = new ExportBuilderDialog(tui.Session, null, "Gold");
        using IDisposable shown = tui.Show(builder);
        Assert.Contains("* Destination", tui.Screen);
        builder.NameField.Text = "gold-weekly";

        builder.Save();
        Assert.Equal("Destination: required.", builder.Problem);

        builder.DestinationField.Text = "nowhere";
        builder.Save();
        tui.WaitUntil(() => builder.Problem != "saving…", "the engine's answer");
        Assert.Contains("no destination named \"nowhere\"", builder.Problem);

        builder.DestinationField.Text = "drop";
        builder.FileName.Text = "gold_{nonsense-token}.csv";
        builder.Save();
        tui.WaitUntil(() => builder.Problem != "saving…", "the engine's answer");
        Assert.Contains("{nonsense-token}", builder.Problem);

        builder.FileName.Text = "gold_{yyyyMMdd}.csv";
        builder.Repeats.Value = ExportRecurrence.Weekly;
        builder.Save();
        tui.WaitUntil(() => builder.Problem != "saving…", "the engine's answer");
        Assert.Contains("a weekly schedule needs at least one day", builder.Problem);
        Assert.Contains("a weekly schedule needs at least one day", tui.Screen);

        builder.WeekDays.Text = "Mon,Funday";
        builder.Save();
        Assert.Equal("Weekly: days: \"Funday\" is not a day of the week; type e.g. Mon,Thu.", builder.Problem);

        Assert.Null(builder.Saved);
        Assert.Empty(tui.OnEngine(data => new ExportService(data.Path, "default").List()));
    }

    [Fact]
    public void Builder_Save_CreatesTheConfigurationInTheEngine()
    {
        using TuiHarness tui = StartWithGold();
        using var builder = new ExportBuilderDialog(tui.Session, null, "Gold");
        using IDisposable shown = tui.Show(builder);
        builder.NameField.Text = "gold-weekly";
        builder.DestinationField.Text = "drop";
        builder.FileName.Text = "gold_{yyyyMMdd}.csv";
        builder.DeliveryDate.Text = "2026-12-01";
        builder.DeliveryTime.Text = "07:30";
        builder.Repeats.Value = ExportRecurrence.Weekly;
        builder.WeekDays.Text = "mon, thu";
        builder.TimeZone.Text = "Europe/Berlin";
        builder.Columns.Text = "id_type, id, segments:Loyalty";
        builder.FieldDelimiterField.Value = FieldDelimiter.Pipe;
        builder.Content.Value = ContentMode.Delta;
        builder.Emails.Text = "ops@example.com, ana@example.com";
        tui.Press(Key.S.WithCtrl);
        tui.WaitUntil(() => builder.Saved is not null, $"the save ({builder.Problem})");

        ExportConfiguration saved = tui.OnEngine(data => new ExportService(data.Path, "default").Get("gold-weekly"));
        Assert.Equal(("Gold", "drop", "gold_{yyyyMMdd}.csv", ExportState.Paused, ContentMode.Delta), (saved.Audience, saved.Destination, saved.FileNameTemplate, saved.State, saved.Content));
        Assert.Equal(new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Start = new DateTime(2026, 12, 1, 7, 30, 0), Days = [DayOfWeek.Monday, DayOfWeek.Thursday], TimeZone = "Europe/Berlin" }.Describe(), saved.Schedule.Describe());
        Assert.Equal(["id_type", "id", "segments:Loyalty"], saved.Format.Columns);
        Assert.Equal(FieldDelimiter.Pipe, saved.Format.FieldDelimiter);
        Assert.Equal(["ops@example.com", "ana@example.com"], saved.NotifyEmails);
    }

    [Fact]
    public void RunNow_ShowsACompleteHistoryRow_AndTheFileHoldsTheAudience()
    {
        using TuiHarness tui = StartWithGold();
        tui.OnEngine(data => new ExportService(data.Path, "default").Create(GoldExport()));
        ExportsScreen screen = ShowExports(tui);
        tui.WaitUntil(() => screen.Shown.Exports.Count == 1, "the configuration");

        tui.Press(Key.A.WithCtrl);
        tui.WaitUntil(() => screen.Shown.Exports[0].State == ExportState.Active, "the activation");
        tui.Press(Key.R.WithCtrl);
        Assert.Same(screen.HistoryTab, screen.Tabs.Value);
        tui.WaitUntil(() => screen.Shown.Runs is [{ State: ExportRunState.Complete }], "the run to complete");
        ExportRun run = screen.Shown.Runs[0];
        Assert.Equal(15, run.Rows);
        tui.WaitUntil(() => screen.Status.Contains("complete: 15 rows", StringComparison.Ordinal), "the outcome");
        Assert.Contains($"│complete", tui.Screen);

        string file = Path.Combine(_drop.Path, run.FileName!);
        Assert.Equal(ExpectedGoldIds(), File.ReadAllLines(file).Order(StringComparer.Ordinal));
        Assert.Equal([run.FileName!], Directory.GetFiles(_drop.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void RunNow_IsHeldToTheClientsConfiguredMinimum()
    {
        // Gold has 15 members; onboard.json asks at least 16 of client default, which has no minimum of its own.
        using TuiHarness tui = TuiHarness.Start(inbox =>
        {
            SampleInbox.Write(inbox);
            string data = Directory.CreateDirectory(Path.Combine(inbox, "..", "data")).FullName;
            File.WriteAllText(Path.Combine(data, "onboard.json"), """{ "Onboard": { "Clients": { "default": { "MinimumExportAudienceSize": 16 } } } }""");
        });
        tui.OnEngine(data =>
        {
            var audiences = new AudienceService(data, "default");
            audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
            audiences.Activate("Gold");
            var exports = new ExportService(data.Path, "default");
            exports.AddFolderDestination("drop", _drop.Path, "ana");
            return exports.Create(GoldExport());
        });
        ExportsScreen screen = ShowExports(tui);
        tui.WaitUntil(() => screen.Shown.Exports.Count == 1, "the configuration");

        tui.Press(Key.A.WithCtrl);
        tui.WaitUntil(() => screen.Shown.Exports[0].State == ExportState.Active, "the activation");
        tui.Press(Key.R.WithCtrl);
        tui.WaitUntil(() => screen.Shown.Runs is [{ State: ExportRunState.Failed }], "the run to fail");

        Assert.Contains("has 15 members, fewer than client default's minimum export size of 16", screen.Shown.Runs[0].Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_drop.Path));
    }

    [Fact]
    public void Cancel_AsksFirst_ThenTheExportIsCanceledForGood()
    {
        using TuiHarness tui = StartWithGold();
        tui.OnEngine(data => new ExportService(data.Path, "default").Create(GoldExport()));
        ExportsScreen screen = ShowExports(tui);
        tui.WaitUntil(() => screen.Shown.Exports.Count == 1, "the configuration");

        Func<string> declined = tui.Answer<Dialog>(d => TuiHarness.Click(d, "No"));
        tui.Press(Key.X.WithCtrl);
        Assert.Contains("Cancel export \"gold-daily\" for good?", declined());
        tui.Pump();
        Assert.Equal(ExportState.Paused, tui.OnEngine(data => new ExportService(data.Path, "default").Get("gold-daily")).State);

        Func<string> confirmed = tui.Answer<Dialog>(d => TuiHarness.Click(d, "Yes, cancel it"));
        tui.Press(Key.X.WithCtrl);
        confirmed();
        tui.WaitUntil(() => screen.Shown.Exports is [{ State: ExportState.Canceled }], "the cancel");

        tui.Press(Key.A.WithCtrl);
        tui.WaitUntil(() => screen.Status.Contains("canceled for good", StringComparison.Ordinal), "the refusal");
    }

    [Fact]
    public void Destinations_AddFolder_Test_AndSftpSecretsAreMasked()
    {
        using TuiHarness tui = TuiHarness.Start();
        ExportsScreen screen = ShowExports(tui);
        tui.Press(Key.D.WithAlt);

        using (var dialog = new DestinationDialog(tui.Session))
        using (tui.Show(dialog))
        {
            dialog.NameField.Text = "drop";
            dialog.Folder.Text = "relative/folder";
            dialog.Save();
            tui.WaitUntil(() => dialog.Problem != "saving…", "the engine's answer");
            Assert.Contains("must be an absolute path", dialog.Problem);

            dialog.Folder.Text = _drop.Path;
            dialog.Save();
            tui.WaitUntil(() => dialog.Saved is not null, "the save");
        }

        using (var dialog = new DestinationDialog(tui.Session))
        using (tui.Show(dialog))
        {
            dialog.Kind.Value = DestinationType.Sftp;
            dialog.NameField.Text = "partner";
            dialog.Password.Text = "hunter2-secret";
            Assert.DoesNotContain("hunter2-secret", tui.Screen);
            dialog.Port.Text = "ssh";
            dialog.Save();
            Assert.Equal("Port: \"ssh\" is not a port number (1-65535).", dialog.Problem);
        }

        tui.Press(Key.F5);
        tui.WaitUntil(() => screen.Shown.Destinations.Count == 1, "the destination");
        // The test runs off the UI thread; its report opens when it is done.
        string seen = tui.WithDialog<Dialog>(() => tui.Press(Key.T.WithCtrl));
        Assert.Contains($"folder {_drop.Path} exists", seen);
        Assert.Contains("wrote and deleted", seen);
        Assert.Empty(Directory.GetFiles(_drop.Path));
    }

    [Fact]
    public void Encryptions_PastedKeyIsChecked_BadKeyRefusedWithTheMessage()
    {
        using TuiHarness tui = TuiHarness.Start();
        using var gpg = new GpgHome();
        using var dialog = new EncryptionDialog(tui.Session);
        using IDisposable shown = tui.Show(dialog);
        dialog.NameField.Text = "partner";

        dialog.Save();
        Assert.StartsWith("Armored public keys: none pasted or loaded", dialog.Problem);

        dialog.KeysText.Text = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n";
        dialog.Save();
        tui.WaitUntil(() => dialog.Problem != "saving…", "the engine's answer");
        Assert.Null(dialog.Saved);
        Assert.NotEmpty(dialog.Problem);

        string keyFile = _drop.Path + "/partner.asc";
        File.WriteAllText(keyFile, gpg.ExportPublicKey());
        dialog.KeysText.Text = string.Empty;
        dialog.KeyFiles.Text = keyFile;
        dialog.LoadFiles();
        dialog.Save();
        tui.WaitUntil(() => dialog.Saved is not null, "the save");
        Encryption saved = tui.OnEngine(data => new ExportService(data.Path, "default").GetEncryption("partner"));
        Assert.Contains("Onboarding Test", Assert.Single(saved.Recipients).UserId);
    }

    [Fact]
    public void Enter_EditsTheSelectedExport_InTheBuilder()
    {
        using TuiHarness tui = StartWithGold();
        tui.OnEngine(data => new ExportService(data.Path, "default").Create(GoldExport()));
        ExportsScreen screen = ShowExports(tui);
        tui.WaitUntil(() => screen.Shown.Exports.Count == 1, "the configuration");

        tui.Answer<ExportBuilderDialog>(
            builder =>
            {
                Assert.Equal(("gold-daily", "drop", "2026-11-24", "06:00", "2026-12-31"), (builder.NameField.Text, builder.DestinationField.Text, builder.DeliveryDate.Text, builder.DeliveryTime.Text, builder.EndDate.Text));
                builder.DeliveryTime.Text = "05:15";
                // The save is queued on the engine before the dialog closes, so closing at once is fine.
                builder.Save();
            },
            builder => builder.IsRunning);
        tui.Press(Key.Enter);
        tui.WaitUntil(() => tui.OnEngine(data => new ExportService(data.Path, "default").Get("gold-daily")).Schedule.Start == new DateTime(2026, 11, 24, 5, 15, 0), "the edit saved");
        tui.Press(Key.F5);
        tui.WaitUntil(() => screen.Shown.Exports is [{ Schedule.Start.Minute: 15 }], "the edited export on the screen");
    }
}
