using Onboarding.Watcher.Hosting;
using System.Reflection;
using Onboarding.Tui.Screens.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Tests;

public sealed class HelpOverlayTests
{
    [Fact]
    public void F1_ListsEveryKeyOfEveryScreenAndDialog_ThisScreensFirst()
    {
        using TuiHarness tui = TuiHarness.Start();
        tui.Press(Key.F4);

        HelpDialog? help = null;
        string screen = tui.WithDialog<HelpDialog>(() => tui.Press(Key.F1), d => (help = d) is not null);

        int keys = HelpDialog.Sections.Sum(map => map.Actions.Count) + ScreenRegistry.All.Count;
        Assert.Equal(keys, help!.Rows.Count);
        Assert.Equal("Audiences screen", help.Rows[0].Where);
        foreach (KeyMap map in HelpDialog.Sections)
        {
            foreach (KeyAction action in map.Actions)
            {
                Assert.Contains(new HelpRow(map.Where, KeyMap.Label(action), action.Help), help.Rows);
            }
        }

        Assert.Matches(@"│Audiences screen\s*│Ctrl\+N\s*│create an audience in the editor", screen);
        Assert.Matches(@"│Everywhere\s*│F4\s*│the Audiences screen", screen);
    }

    [Fact]
    public void EveryKeyMapOfTheApp_IsAHelpSection()
    {
        KeyMap[] declared = [.. typeof(KeyMap).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(f => f.FieldType == typeof(KeyMap))
            .Select(f => (KeyMap)f.GetValue(null)!)];

        Assert.True(declared.Length >= 8, $"only {declared.Length} key maps found");
        Assert.All(declared, map => Assert.Contains(map, HelpDialog.Sections));
    }

    [Fact]
    public void QuestionMark_OpensHelp_ExceptWhereTextIsTyped()
    {
        using TuiHarness tui = TuiHarness.Start();

        string screen = tui.WithDialog<HelpDialog>(() => tui.Type("?"));
        Assert.Contains("Keys (Esc closes)", screen);

        tui.Press(MainWindow.SearchKey);
        tui.Type("?");
        Assert.Contains("Search: ?", tui.Screen);
        Assert.IsNotType<HelpDialog>(tui.App.TopRunnable);
    }

    [Fact]
    public void KeyMap_RefusesAKeyWithoutHandler_OrDeclaredTwice()
    {
        var map = new KeyMap("Test");
        KeyAction save = map.Add(Key.S.WithCtrl, "Save", "save");
        map.Add(Key.F2, "Other", "other");

        Assert.Contains("F2", Assert.Throws<InvalidOperationException>(() => map.Bar((save, () => { }))).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => map.Add(Key.S.WithCtrl, "Again", "again"));
        Assert.Equal("Ctrl+S", KeyMap.Label(save));
        Assert.Equal(AudienceEditorDialog.Keys, HelpDialog.For(new AudienceEditorDialog(TuiSessionForKeys(), null)));
    }

    private static TuiSession TuiSessionForKeys() => new(null!, new WatcherStatus(), "default");
}
