using Onboarding.Tui.Screens;
using Onboarding.Tui.Screens.Audiences;
using Onboarding.Tui.Screens.Exports;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>One line of the help overlay.</summary>
internal sealed record HelpRow(string Where, string Key, string Does);

/// <summary>
/// Every key of the app (F1, or ? outside a text field), generated from the key maps the screens and dialogs bind
/// their keys with; the keys of the screen or dialog it was opened from come first.
/// </summary>
internal sealed class HelpDialog : Dialog
{
    public HelpDialog(KeyMap? first = null)
    {
        HotKeySpecifier = Views.NoHotKey;
        Title = "Keys (Esc closes)";
        Width = Dim.Percent(90);
        Height = Dim.Percent(90);
        Rows = Lines(first);
        TableView table = Views.Table();
        table.Height = Dim.Fill(1);
        table.Table = new EnumerableTableSource<HelpRow>(Rows, new Dictionary<string, Func<HelpRow, object>>
        {
            ["Where"] = r => r.Where,
            ["Key"] = r => r.Key,
            ["Does"] = r => r.Does,
        });
        Add(table);
        AddButton(new Button { Text = "_Close", IsDefault = true });
    }

    /// <summary>Every key map of the app: the main window's, each screen's, each dialog's.</summary>
    public static IReadOnlyList<KeyMap> Sections =>
    [
        MainWindow.Keys,
        .. ScreenRegistry.All.Select(e => e.Keys),
        AudienceEditorDialog.Keys,
        SegmentPickerDialog.Keys,
        AudienceDetailDialog.Keys,
        AudienceOverlapDialog.Keys,
        AudienceDiffDialog.Keys,
        ExportBuilderDialog.Keys,
        DestinationDialog.Keys,
        EncryptionDialog.Keys,
    ];

    public IReadOnlyList<HelpRow> Rows { get; }

    /// <summary>The key map of a dialog, for F1 pressed while it is open.</summary>
    public static KeyMap? For(object? dialog) => dialog switch
    {
        AudienceEditorDialog => AudienceEditorDialog.Keys,
        SegmentPickerDialog => SegmentPickerDialog.Keys,
        AudienceDetailDialog => AudienceDetailDialog.Keys,
        AudienceOverlapDialog => AudienceOverlapDialog.Keys,
        AudienceDiffDialog => AudienceDiffDialog.Keys,
        ExportBuilderDialog => ExportBuilderDialog.Keys,
        DestinationDialog => DestinationDialog.Keys,
        EncryptionDialog => EncryptionDialog.Keys,
        _ => null,
    };

    /// <summary>The help lines: <paramref name="first"/>'s keys, then every map in <see cref="Sections"/> order.</summary>
    public static IReadOnlyList<HelpRow> Lines(KeyMap? first = null)
    {
        var rows = new List<HelpRow>();
        foreach (KeyMap map in Sections.OrderBy(m => m == first ? 0 : 1))
        {
            rows.AddRange(map.Actions.Select(a => new HelpRow(map.Where, KeyMap.Label(a), a.Help)));
            if (map == MainWindow.Keys)
            {
                rows.InsertRange(rows.Count - map.Actions.Count + 1, ScreenRegistry.All.Select(e => new HelpRow(map.Where, e.Key.ToString(), $"the {e.Name} screen")));
            }
        }

        return rows;
    }
}
