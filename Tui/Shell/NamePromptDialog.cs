using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>Asks for one name (a snapshot's, say), starting from a suggestion.</summary>
internal sealed class NamePromptDialog : Dialog
{
    private readonly TextField _name;

    public NamePromptDialog(string title, string prompt, string suggestion)
    {
        Title = title;
        Width = Dim.Percent(60);
        Height = 7;
        var label = new Label { Text = prompt };
        _name = new TextField { X = Pos.Right(label) + 1, Width = Dim.Fill(1), Text = suggestion };
        Add(label, _name);
        AddButton(new Button { Text = "Cancel" });
        AddButton(new Button { Text = "OK", IsDefault = true });
        _name.SetFocus();
    }

    /// <summary>The name typed, or null when cancelled.</summary>
    public string? Answer => Result == 1 ? _name.Text : null;
}
