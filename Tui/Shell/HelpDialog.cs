using System.Text;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>Every key of the app, in one place (F1).</summary>
internal sealed class HelpDialog : Dialog
{
    public HelpDialog()
    {
        Title = "Keys";
        Width = 64;
        Height = ScreenRegistry.All.Count + 18;
        var text = new StringBuilder();
        foreach (ScreenEntry entry in ScreenRegistry.All)
        {
            text.AppendLine($"  {entry.Key,-10} {entry.Name} screen");
        }

        text.AppendLine($"  {MainWindow.SearchKey,-10} search this screen");
        text.AppendLine($"  {"Esc",-10} clear the search / close a dialog");
        text.AppendLine($"  {MainWindow.SortKey,-10} next sort order (or click a column header)");
        text.AppendLine($"  {MainWindow.RefreshKey,-10} reload from the data folder");
        text.AppendLine($"  {MainWindow.ClientKey,-10} switch client");
        text.AppendLine($"  {"Enter",-10} open the selected row (or double-click)");
        text.AppendLine($"  {"↑ ↓ PgUp",-10} move in a table; Tab moves between fields");
        text.AppendLine($"  {MainWindow.HelpKey,-10} this help");
        text.AppendLine($"  {MainWindow.QuitKey,-10} quit");
        Add(new Label { Text = text.ToString(), Width = Dim.Fill(), Height = Dim.Fill(1) });
        AddButton(new Button { Text = "_Close", IsDefault = true });
    }
}
