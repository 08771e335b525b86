using Onboarding.Engine.Audiences;
using Onboarding.Tui.Screens;
using Onboarding.Tui.Screens.Audiences;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Tests;

public sealed class AudiencesScreenTests
{
    [Fact]
    public void F4_ShowsTheDashboard_SearchSortAndDetail()
    {
        using TuiHarness tui = TuiHarness.Start();
        tui.OnEngine(data =>
        {
            var audiences = new AudienceService(data, "default");
            audiences.Create("Gold members", "\"Loyalty=Gold\"", "ana");
            audiences.Create("Runners not bronze", "\"Interest=Running\" AND NOT \"Loyalty=Bronze\"", "bo");
            return audiences.Activate("Gold members");
        });

        tui.Press(Key.F4);
        var screen = Assert.IsType<AudiencesScreen>(tui.Window.Current);
        tui.WaitUntil(() => screen.Shown.Count == 2, "the audiences to load");
        string text = tui.Screen;
        Assert.Matches(@"│active\s*│Gold members\s*│ana\s*│[^│]*│[^│]*│\s*15│", text);
        Assert.Matches(@"│draft\s*│Runners not bronze\s*│bo\s*│[^│]*│-\s*│\s*-│", text);
        Assert.Contains("2 audiences, 1 active", tui.Window.StatusText);
        Assert.Contains("Ctrl+N: new audience", text);

        tui.Press(Key.F6);
        tui.WaitUntil(() => screen.Shown[0].Name == "Runners not bronze", "name Z-A");
        Assert.Contains("Sort: name Z-A", tui.Screen);

        tui.Press(Key.F.WithCtrl);
        tui.Type("ana");
        tui.WaitUntil(() => screen.Shown.Count == 1, "the search");
        Assert.Equal("Gold members", screen.Shown[0].Name);

        tui.Press(Key.Enter);
        string dialog = tui.WithDialog<AudienceDetailDialog>(() => tui.Press(Key.Enter), d => d.History is not null);
        Assert.Contains("Audience Gold members (active)", dialog);
        Assert.Contains("Targeting summary: Members of:", dialog);
        Assert.Contains("Estimated size: 15", dialog);
    }

    [Fact]
    public void CtrlN_CreatesADraftInTheEditor_EnterOnADraftEditsIt()
    {
        using TuiHarness tui = TuiHarness.Start();
        tui.Press(Key.F4);
        var screen = (AudiencesScreen)tui.Window.Current;

        tui.Answer<AudienceEditorDialog>(
            editor =>
            {
                editor.NameText = "Bronze";
                editor.TypeExpression("\"Loyalty=Bronze\"");
                // Saving is queued on the engine before the list reloads, so closing at once is fine.
                Terminal.Gui.Testing.InputInjectionExtensions.InjectKey(tui.App, Key.S.WithCtrl);
            },
            editor => editor.Audience is null);
        // The table takes Ctrl+N for itself, so the screen's keys are caught before the views see them.
        Assert.IsType<Terminal.Gui.Views.TableView>(tui.App.Navigation!.GetFocused());
        tui.Press(Key.N.WithCtrl);
        tui.WaitUntil(() => screen.Shown.Count == 1, "the new draft in the list");
        Assert.Matches(@"│draft\s*│Bronze\s*│", tui.Screen);

        string editing = tui.WithDialog<AudienceEditorDialog>(() => tui.Press(Key.Enter));
        Assert.Contains("Audience Bronze (draft)", editing);
    }
}
