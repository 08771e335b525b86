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
    public void F3_ListsEveryFileWithItsOutcomeRowsAndReason()
    {
        using TuiHarness tui = TuiHarness.Start(InboxWithRefusedAndDuplicate);

        tui.Press(Key.F3);

        FilesScreen screen = Assert.IsType<FilesScreen>(tui.Window.Current);
        Assert.Equal(
            [("HEMSHA2_default_20250105.csv", FileOutcome.Applied), ("HEMSHA2_default_20250103.csv", FileOutcome.Refused), ("HEMSHA2_default_20250102.csv", FileOutcome.Duplicate), ("HEMSHA2_default_20250101.csv", FileOutcome.Applied)],
            screen.Shown.Select(e => (e.FileName, e.Outcome)));
        string text = tui.Screen;
        Assert.Matches(@"│HEMSHA2_default_20250101\.csv│delta\s*│applied\s*│\s*201│\s*200│\s*1│", text);
        Assert.Matches(@"│HEMSHA2_default_20250103\.csv│delta\s*│refused\s*│\s*2│\s*0│\s*1│1 of 2 rows", text);
        Assert.Matches(@"│HEMSHA2_default_20250102\.csv│delta\s*│duplicate│", text);
        Assert.Contains("4 files: 2 applied, 1 refused, 1 duplicate", tui.Window.StatusText);
    }

    [Fact]
    public void Enter_ShowsTheSegmentChangesAndTheFirstRejectedRows()
    {
        using TuiHarness tui = TuiHarness.Start(inbox => SampleInbox.Write(inbox, withTierMove: false, withAcme: false));
        tui.Press(Key.F3);
        var screen = (FilesScreen)tui.Window.Current;
        tui.Press(Key.CursorDown);
        Assert.Equal("HEMSHA2_default_20250101.csv", screen.Shown[1].FileName);

        string dialog = tui.WithDialog<FileDetailDialog>(() => tui.Press(Key.Enter));

        Assert.Contains("File HEMSHA2_default_20250101.csv", dialog);
        Assert.Contains("applied (delta)", dialog);
        Assert.Matches(@"│Loyalty=Bronze\s*│dynamic│\s*1│\s*\+150│\s*0│\s*150│", dialog);
        Assert.Matches(@"│Loyalty=Gold\s*│dynamic│\s*1│\s*\+10│", dialog);
        Assert.Contains("Rejected rows (first 1 of 1", dialog);
        Assert.Contains(Path.Combine(tui.DataPath, "reports", "default"), dialog);
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
