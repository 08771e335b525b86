using Onboarding.Engine.Exports;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>
/// Adds a PGP encryption: its name and the recipients' armored public keys, pasted or loaded from files (several
/// paths separated by ';'). The engine checks every key has a usable encryption key now; its message is shown.
/// </summary>
internal sealed class EncryptionDialog : ExportFormDialog<Encryption>
{
    public static readonly KeyMap Keys = new("Add encryption");
    public static readonly KeyAction SaveKey = Keys.Add(Key.S.WithCtrl, "Save", "check the keys and save the encryption");
    public static readonly KeyAction LoadKey = Keys.Add(Key.F2, "Load files", "append the armored keys of the files in Key files to the pasted keys");
    public static readonly KeyAction CloseKey = Keys.Describe("Esc", "close without saving");

    private const string Armor = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

    public EncryptionDialog(TuiSession session)
        : base(session, "Add encryption")
    {
        var form = new View { Width = Dim.Fill(), Height = 3, CanFocus = true };
        NameField = Row(form, "Name", new TextField(), required: true);
        KeyFiles = Row(form, "Key files (;)", new TextField());
        Note(form, "* Armored public keys (paste below, or F2 to load the files above):");
#pragma warning disable CS0618 // the multi-line editor that replaces TextView is a separate package (tui-cs/Editor); pasting a key needs only this
        KeysText = new TextView { Y = Pos.Bottom(form), Width = Dim.Fill(), Height = Dim.Fill(3) };
#pragma warning restore CS0618
        Add(form, KeysText, Keys.Bar((SaveKey, Save), (LoadKey, LoadFiles)));
        NameField.SetFocus();
    }

    public TextField NameField { get; }

    public TextField KeyFiles { get; }

#pragma warning disable CS0618 // see the constructor
    public TextView KeysText { get; }
#pragma warning restore CS0618

    /// <summary>Appends the files' text to the keys (a file that cannot be read is named).</summary>
    public void LoadFiles()
    {
        foreach (string path in KeyFiles.Text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!File.Exists(path))
            {
                Problem = $"Key files: {path} does not exist.";
                return;
            }

            KeysText.Text = KeysText.Text.TrimEnd() + "\n" + File.ReadAllText(path).Trim() + "\n";
        }

        Problem = "keys loaded; Ctrl+S checks and saves them.";
    }

    protected override Func<DataFolder, Encryption>? Prepare()
    {
        // One block per key: the engine reads each armored block as one recipient.
        string[] blocks = [.. KeysText.Text.Split(Armor, StringSplitOptions.RemoveEmptyEntries).Where(b => !string.IsNullOrWhiteSpace(b)).Select(b => Armor + b.TrimEnd() + "\n")];
        if (blocks.Length == 0)
        {
            Problem = $"Armored public keys: none pasted or loaded (a key starts with {Armor}).";
            return null;
        }

        string client = Client;
        string name = NameField.Text.Trim();
        string who = Environment.UserName;
        return data => ExportsOverview.Service(data, client).AddEncryption(name, blocks, who);
    }
}
