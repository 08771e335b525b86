using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Ingestion.Parsing;
using Onboarding.Tui.Screens.Audiences;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Tests;

/// <summary>
/// The audience editor over the sample inbox (Loyalty Gold 15 / Silver 35 / Bronze 150, Interest=Running every 4th
/// ID, Campaign=Spring the first 30; 200 IDs in the base).
/// </summary>
public sealed class AudienceEditorTests
{
    private static SegmentTerm Segment(string group, string segment) => new(new SegmentName(group, segment));

    [Fact]
    public void BuilderRows_AndExpressionText_MapBothWays()
    {
        using TuiHarness tui = TuiHarness.Start();
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);

        editor.AddRow(Segment("Loyalty", "Gold"));
        editor.AddRow(Segment("Interest", "Running"));
        tui.Press(Key.F3);      // the last row added is selected: exclude it
        Assert.Equal("\"Loyalty=Gold\" AND NOT \"Interest=Running\"", editor.ExpressionText);
        string screen = tui.Screen;
        Assert.Contains("+ include  \"Loyalty=Gold\"", screen);
        Assert.Contains("− exclude  \"Interest=Running\"", screen);

        tui.Press(Key.F4);
        Assert.Equal("\"Loyalty=Gold\" OR NOT \"Interest=Running\"", editor.ExpressionText);
        Assert.Contains("with any, an excluded row adds everyone in the base who is not in it", tui.Screen);
        tui.Press(Key.F4);

        // Text typed in the expression tab reads back as rows when it is a flat list.
        editor.TypeExpression("\"loyalty=*\"  and not  \"Campaign = Spring\"");
        Assert.NotNull(editor.Builder);
        Assert.Equal(AudienceMatch.All, editor.Builder.Match);
        Assert.Equal([new AudienceBuilderRow(new GroupTerm("loyalty"), true), new AudienceBuilderRow(Segment("Campaign", "Spring"), false)], editor.Builder.Rows);
        Assert.Contains("Canonical: \"loyalty=*\" AND NOT \"Campaign=Spring\"", tui.Screen);

        // Anything else is kept as text, and the builder says so.
        editor.TypeExpression("(\"Loyalty=Gold\" OR \"Loyalty=Silver\") AND \"Interest=Running\"");
        Assert.Null(editor.Builder);
        editor.Tabs.Value = editor.Tabs.SubViews.First();
        Assert.Contains("more than a list of rows", tui.Screen);

        // Removing a row (Del on the rows list) rewrites the text.
        editor.TypeExpression("\"Loyalty=Gold\" AND \"Interest=Running\"");
        editor.Tabs.Value = editor.Tabs.SubViews.First();
        tui.Pump();
        editor.FocusRows();
        tui.Pump();
        tui.Press(Key.CursorDown);
        tui.Press(Key.Delete);
        Assert.Equal("\"Loyalty=Gold\"", editor.ExpressionText);
    }

    [Fact]
    public void Preview_ShowsTheEngineFigures_ForTheDefinitionAsItStands()
    {
        using TuiHarness tui = TuiHarness.Start();
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);

        editor.AddRow(Segment("Loyalty", "Gold"));
        editor.AddRow(Segment("Interest", "Running"), included: false);
        Assert.Contains("Size now: computing…", tui.Screen);
        tui.WaitUntil(() => editor.Preview is not null, "the preview");

        (long size, long baseSize) = tui.OnEngine(data => new AudienceService(data, "default").Preview("\"Loyalty=Gold\" AND NOT \"Interest=Running\""));
        Assert.Equal((size, baseSize), editor.Preview);
        Assert.Equal((12L, 200L), (size, baseSize));   // Gold is IDs 1-15; 4, 8 and 12 run
        Assert.Contains("Size now: 12  ·  6.0% of base (200)", tui.Screen);

        // A change starts a new preview; only the latest definition's figures are shown.
        editor.AddRow(Segment("Campaign", "Spring"));
        Assert.Null(editor.Preview);
        tui.WaitUntil(() => editor.Preview is not null, "the second preview");
        Assert.Equal(tui.OnEngine(data => new AudienceService(data, "default").Preview(editor.ExpressionText)), editor.Preview);
    }

    [Fact]
    public void InvalidExpressions_ShowWhereAndWhat_WithSuggestions()
    {
        using TuiHarness tui = TuiHarness.Start();
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);

        // A syntax error is found as the text is typed.
        editor.TypeExpression("\"Loyalty=Gold\" AND (\"Interest=Running\"");
        Assert.Contains("column 20", editor.Problem);
        Assert.Contains("Size now: -", tui.Screen);
        Assert.Null(editor.Preview);

        // An unknown segment is found by the engine, off the UI thread.
        editor.TypeExpression("\"Interest=Running\" AND \"Loyalty=Gld\"");
        tui.WaitUntil(() => editor.Problem.Length > 0, "the engine's check");
        Assert.Contains("column 24: unknown segment \"Loyalty=Gld\"", editor.Problem);
        Assert.Contains("did you mean \"Loyalty=Gold\"", editor.Problem);
        string[] lines = editor.Problem.Split('\n');
        Assert.Equal("  \"Interest=Running\" AND \"Loyalty=Gld\"", lines[1]);
        Assert.Equal("                         ^^^^^^^^^^^^^", lines[2]);   // under the 13 characters of "Loyalty=Gld"
        Assert.Contains("unknown segment", tui.Screen);
    }

    [Fact]
    public void SaveDraft_CreatesTheAudience_ThenUpdatesIt_AndShowsRefusals()
    {
        using TuiHarness tui = TuiHarness.Start();
        tui.OnEngine(data => new AudienceService(data, "default").Create("Taken", "\"Loyalty=Gold\"", "ana"));
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);

        editor.NameText = "Taken";
        editor.AddRow(Segment("Loyalty", "Silver"));
        tui.Press(Key.S.WithCtrl);
        tui.WaitUntil(() => editor.Problem.Contains("already exists", StringComparison.Ordinal), "the name clash");
        Assert.Null(editor.Audience);

        editor.NameText = "Silver runners";
        editor.AddRow(Segment("Interest", "Running"));
        tui.Press(Key.S.WithCtrl);
        tui.WaitUntil(() => editor.Audience is not null, "the draft to be saved");
        Audience saved = tui.OnEngine(data => new AudienceService(data, "default").Get("Silver runners"));
        Assert.Equal((AudienceStatus.Draft, "\"Loyalty=Silver\" AND \"Interest=Running\"", Environment.UserName), (saved.Status, saved.Expression, saved.CreatedBy));
        Assert.Contains("draft, saved", editor.Status);

        // Saving again updates the same draft (and renames it).
        tui.Press(Key.F4);
        editor.NameText = "Silver or runners";
        tui.Press(Key.S.WithCtrl);
        tui.WaitUntil(() => editor.Audience?.Name == "Silver or runners", "the update");
        IReadOnlyList<Audience> all = tui.OnEngine(data => new AudienceService(data, "default").List());
        Assert.Equal(["Silver or runners", "Taken"], all.Select(a => a.Name));
        Assert.Equal("\"Loyalty=Silver\" OR \"Interest=Running\"", all[0].Expression);
    }

    [Fact]
    public void Activate_AsksFirst_ThenTheAudienceIsActiveAndReadOnly()
    {
        using TuiHarness tui = TuiHarness.Start();
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);
        editor.NameText = "Gold";
        editor.AddRow(Segment("Loyalty", "Gold"));

        // Cancel: nothing is saved.
        Func<string> cancelled = tui.Answer<Dialog>(d => TuiHarness.Click(d, "Cancel"), d => d != editor);
        tui.Press(Key.F7);
        Assert.Contains("cannot be edited afterwards", cancelled());
        tui.Pump();
        Assert.Empty(tui.OnEngine(data => new AudienceService(data, "default").List()));

        Func<string> confirmed = tui.Answer<Dialog>(d => TuiHarness.Click(d, "Activate"), d => d != editor);
        tui.Press(Key.F7);
        Assert.Contains("Activate \"Gold\"?", confirmed());
        tui.WaitUntil(() => editor.IsReadOnly, "the activation");

        Audience active = tui.OnEngine(data => new AudienceService(data, "default").Get("Gold"));
        Assert.Equal((AudienceStatus.Active, 15L), (active.Status, active.Size));
        string screen = tui.Screen;
        Assert.Contains("Audience Gold (active, read-only)", screen);
        Assert.Contains("Targeting summary:", screen);
        Assert.DoesNotContain("Save draft", screen);

        // Nothing changes it any more.
        tui.Press(Key.F3);
        tui.Press(Key.Delete);
        editor.AddRow(Segment("Loyalty", "Silver"));
        Assert.Equal("\"Loyalty=Gold\"", editor.ExpressionText);
        tui.Press(Key.S.WithCtrl);
        tui.Pump();
        Assert.Equal("\"Loyalty=Gold\"", tui.OnEngine(data => new AudienceService(data, "default").Get("Gold")).Expression);
    }

    [Fact]
    public void AddRow_OpensThePicker_TypingFilters_EnterPicks()
    {
        using TuiHarness tui = TuiHarness.Start();
        tui.OnEngine(data => new AudienceService(data, "default").Create("Runners", "\"Interest=Running\"", "ana"));
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);

        IReadOnlyList<string>? all = null, filtered = null;
        Func<string> seen = tui.Answer<SegmentPickerDialog>(
            picker =>
            {
                all = [.. picker.Shown.Select(i => i.Text)];
                foreach (char c in "loy gol")
                {
                    tui.App.InjectKey(new Key(c));
                }

                filtered = [.. picker.Shown.Select(i => i.Text)];
                tui.App.InjectKey(Key.Enter);
            },
            picker => picker.Shown.Count > 0);
        tui.Press(Key.F2);
        tui.WaitUntil(() => editor.Builder?.Rows.Count == 1, "the picked row");

        Assert.Equal(["\"Campaign=*\"", "\"Interest=*\"", "\"Loyalty=*\"", "\"Campaign=Spring\"", "\"Interest=Running\"", "\"Loyalty=Bronze\"", "\"Loyalty=Gold\"", "\"Loyalty=Silver\"", "@\"Runners\""], all);
        Assert.Equal(["\"Loyalty=Gold\""], filtered);
        Assert.Contains("group · 3 segments", seen());
        Assert.Equal("\"Loyalty=Gold\"", editor.ExpressionText);
    }

    [Fact]
    public void Esc_WithUnsavedChanges_AsksFirst_KeepEditingIsTheDefault()
    {
        using TuiHarness tui = TuiHarness.Start();
        using var editor = new AudienceEditorDialog(tui.Session, null);
        using IDisposable shown = tui.Show(editor);
        editor.NameText = "Gold";
        editor.AddRow(Segment("Loyalty", "Gold"));
        Assert.True(editor.HasUnsavedChanges);

        Func<string> kept = tui.Answer<Dialog>(d => tui.App.InjectKey(Key.Enter), d => d != editor);
        tui.Press(Key.Esc);
        Assert.Contains("Discard the unsaved changes to this new audience?", kept());
        tui.Pump();
        Assert.False(editor.StopRequested, "Enter on the question keeps editing");
        Assert.Equal("\"Loyalty=Gold\"", editor.ExpressionText);

        // Saved: nothing to lose, Esc closes without asking.
        tui.Press(Key.S.WithCtrl);
        tui.WaitUntil(() => editor.Audience is not null, "the save");
        Assert.False(editor.HasUnsavedChanges);

        // Changed again, then discarded on purpose.
        editor.AddRow(Segment("Interest", "Running"));
        Assert.True(editor.HasUnsavedChanges);
        Func<string> discarded = tui.Answer<Dialog>(d => TuiHarness.Click(d, "Discard"), d => d != editor);
        tui.Press(Key.Esc);
        Assert.Contains("Discard the unsaved changes to \"Gold\"?", discarded());
        tui.Pump();
        Assert.True(editor.StopRequested);
        Assert.Equal("\"Loyalty=Gold\"", tui.OnEngine(data => new AudienceService(data, "default").Get("Gold")).Expression);
    }
}
