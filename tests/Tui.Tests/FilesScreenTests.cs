using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Screens;
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
