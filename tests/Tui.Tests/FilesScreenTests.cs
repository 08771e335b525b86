using System.Net;
using System.Net.Sockets;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Screens;
using Onboarding.Tui.Screens.Files;
using Onboarding.Tui.Screens.Segments;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Tests;

public sealed class FilesScreenTests
{
    private static void InboxWithRefusedAndDuplicate(string inbox)
    {
        SampleInbox.Write(inbox, withTierMove: false, withAcme: false);
        // the same content again under another name: a duplicate
        File.Copy(Path.Combine(inbox, "HEMSHA2_default_20250101.csv"), Path.Combine(inbox, "HEMSHA2_default_20250102.csv"));
        // half its rows bad: refused
        SampleInbox.WriteFile(Path.Combine(inbox, "HEMSHA2_default_20250103.csv"), $"ID Type,ID,Add,Remove\nHEMSHA2,{SampleInbox.Hem(7)},Loyalty=Gold,\nHEMSHA2,xyz,Loyalty=Gold,\n");
    }

    [Fact]
    public void F3_ListsEveryReceivedFileWithItsStateOutcomeRowsAndReason()
    {
        using TuiHarness tui = TuiHarness.Start(InboxWithRefusedAndDuplicate);

        tui.Press(Key.F3);

        FilesScreen screen = Assert.IsType<FilesScreen>(tui.Window.Current);
        Assert.Equal(
            [
                ("HEMSHA2_default_20250101.csv", ReceivedFileState.Processed, FileOutcome.Applied),
                ("HEMSHA2_default_20250102.csv", ReceivedFileState.Failed, FileOutcome.Duplicate),
                ("HEMSHA2_default_20250103.csv", ReceivedFileState.Failed, FileOutcome.Refused),
                ("HEMSHA2_default_20250105.csv", ReceivedFileState.Processed, FileOutcome.Applied),
            ],
            screen.Shown.Select(f => (f.Name, f.State, f.Outcome ?? default)).Order());
        string text = tui.Screen;
        Assert.Matches(@"│HEMSHA2_default_20250101\.csv│delta\s*│processed│applied\s*│\s*201│\s*200│\s*1│", text);
        Assert.Matches(@"│HEMSHA2_default_20250103\.csv│delta\s*│failed\s*│refused\s*│\s*2│\s*0│\s*1│[^│]*│1 of 2 rows", text);
        Assert.Matches(@"│HEMSHA2_default_20250102\.csv│delta\s*│failed\s*│duplicate│", text);
        Assert.Contains("4 files: 2 processed, 2 failed, 0 waiting or processing", tui.Window.StatusText);
        Assert.Contains("SFTP inboxes: none", screen.InboxesText);
    }

    [Fact]
    public void F3_ShowsTheClientsSftpInboxes_WithTheLastPollAndErrorOfTheInProcessPoller()
    {
        using TuiHarness tui = TuiHarness.Start(inbox => SampleInbox.Write(inbox, withTierMove: false, withAcme: false));
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var draft = new SftpInbox
        {
            Name = "partner-drop",
            Client = DataFolder.DefaultClient,
            PollInterval = TimeSpan.FromMinutes(10),
            Endpoint = new SftpEndpoint { Host = "127.0.0.1", Port = closedPort, User = "onboard", RemoteFolder = "/outbound", HostKeyFingerprint = "uJ2S0cXh7bC1rVvU7k0m3Xr3Y3bGx6q6pM2v8m2jZ5A" },
        };
        ProtectedSecret password = SecretProtector.Open(tui.DataPath).Protect(new Secret("not used"), draft.SecretScope + "/password");
        new SftpInboxStore(tui.DataPath).Add(draft with { Endpoint = draft.Endpoint with { Password = password } });

        tui.Press(Key.F3);
        var screen = (FilesScreen)tui.Window.Current;
        tui.WaitUntil(
            () =>
            {
                tui.Press(Key.F5);
                return screen.InboxesText.Contains("last error:", StringComparison.Ordinal);
            },
            "the watcher's poll of the SFTP inbox to fail and show");

        Assert.Contains($"partner-drop  onboard@127.0.0.1:{closedPort}/outbound  ·  last poll ", screen.InboxesText, StringComparison.Ordinal);
        Assert.Contains("partner-drop", tui.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public void Enter_ShowsTheSegmentChangesAndTheFirstRejectedRows()
    {
        using TuiHarness tui = TuiHarness.Start(inbox => SampleInbox.Write(inbox, withTierMove: false, withAcme: false));
        tui.Press(Key.F3);
        var screen = (FilesScreen)tui.Window.Current;
        tui.Press(Key.CursorDown);
        Assert.Equal("HEMSHA2_default_20250101.csv", screen.Shown[1].Name);

        string dialog = tui.WithDialog<FileDetailDialog>(() => tui.Press(Key.Enter));

        Assert.Contains("File HEMSHA2_default_20250101.csv", dialog);
        Assert.Contains("applied (delta)", dialog);
        Assert.Matches(@"│Loyalty=Bronze\s*│dynamic│\s*1│\s*\+150│\s*0│\s*150│", dialog);
        Assert.Matches(@"│Loyalty=Gold\s*│dynamic│\s*1│\s*\+10│", dialog);
        Assert.Contains("Rejected rows (first 1 of 1", dialog);
        Assert.Contains(Path.Combine(tui.Inbox, "processed"), dialog);
        Assert.Matches(@"│\s*102│ID\s*│[^│]*│not-a-hash", dialog);
    }

    [Fact]
    public void F8_SwitchesToAnotherClientOfTheDataFolder()
    {
        using TuiHarness tui = TuiHarness.Start();

        tui.WithDialog<Shell.ClientPickerDialog>(() => tui.Press(Key.F8));
        tui.Session.Client = "acme";    // what picking "acme" in the dialog does
        tui.WaitUntil(() => ((SegmentsScreen)tui.Window.Screens[0]).Shown.Any(s => s.Name == "Device=iOS"), "acme's segments");

        Assert.Contains("client: acme", tui.Window.StatusText);
        Assert.DoesNotContain("Loyalty", tui.Screen);
    }
}
