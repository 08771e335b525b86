using System.Text;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>The look every screen shares: tables and labels that show data.</summary>
internal static class Views
{
    /// <summary>No hot key: file and segment names hold '_', which must show as typed.</summary>
    public static readonly Rune NoHotKey = new(0xFFFF);

    /// <summary>A label for data text (underscores shown, not taken as a hot key).</summary>
    public static Label DataLabel(string text) => new() { Text = text, HotKeySpecifier = NoHotKey, Width = Dim.Fill() };

    /// <summary>A full-row table with right-aligned numeric columns.</summary>
    public static TableView Table(params int[] numericColumns)
    {
        var table = new TableView { Width = Dim.Fill(), FullRowSelect = true };
        table.Style.ShowHorizontalBottomLine = true;
        table.Style.ExpandLastColumn = false;
        foreach (int column in numericColumns)
        {
            table.Style.GetOrCreateColumnStyle(column).Alignment = Alignment.End;
        }

        return table;
    }

    /// <summary>A change count: "+12", "-3", or "0".</summary>
    public static string Signed(long value, char sign) => value == 0 ? "0" : sign + Format.Count(value);
}
