using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>
/// Adds a destination: a local folder, or an SFTP server (host, port, user, remote path, the pinned host key
/// fingerprint, and a password or a private key file with its passphrase). Secrets are typed masked and, once saved,
/// only kept encrypted; they are never shown back.
/// </summary>
internal sealed class DestinationDialog : ExportFormDialog<Destination>
{
    public static readonly KeyMap Keys = new("Add destination");
    public static readonly KeyAction SaveKey = Keys.Add(Key.S.WithCtrl, "Save", "check and save the destination");
    public static readonly KeyAction CloseKey = Keys.Describe("Esc", "close without saving");

    public DestinationDialog(TuiSession session)
        : base(session, "Add destination")
    {
        var form = new View { Width = Dim.Fill(), Height = Dim.Fill(3), CanFocus = true };
        NameField = Row(form, "Name", new TextField(), required: true);
        Kind = Row(form, "Type", new OptionSelector<DestinationType> { Orientation = Orientation.Horizontal, Value = DestinationType.Folder }, required: true);
        Kind.Labels = ["SFTP server", "local folder"];
        Folder = Row(form, "Folder (local)", new TextField());
        Host = Row(form, "Host (SFTP)", new TextField());
        Port = Row(form, "Port (SFTP)", new TextField { Text = "22" });
        User = Row(form, "User name (SFTP)", new TextField());
        RemotePath = Row(form, "Path (SFTP)", new TextField());
        Fingerprint = Row(form, "Host key (SFTP)", new TextField());
        Password = Row(form, "Password (SFTP)", new TextField { Secret = true });
        KeyFile = Row(form, "Private key file", new TextField());
        Passphrase = Row(form, "Key passphrase", new TextField { Secret = true });
        Note(form, "A folder destination needs an absolute folder. An SFTP one needs host, user, path, the host key");
        Note(form, "fingerprint (SHA256:…, from ssh-keyscan | ssh-keygen -lf -) and a password or a private key file.");
        Add(form, Keys.Bar((SaveKey, Save)));
        NameField.SetFocus();
    }

    public TextField NameField { get; }

    public OptionSelector<DestinationType> Kind { get; }

    public TextField Folder { get; }

    public TextField Host { get; }

    public TextField Port { get; }

    public TextField User { get; }

    public TextField RemotePath { get; }

    public TextField Fingerprint { get; }

    public TextField Password { get; }

    public TextField KeyFile { get; }

    public TextField Passphrase { get; }

    protected override Func<DataFolder, Destination>? Prepare()
    {
        string client = Client;
        string name = NameField.Text.Trim();
        string who = Environment.UserName;
        if (Kind.Value != DestinationType.Sftp)
        {
            string folder = Folder.Text.Trim();
            return data => ExportsOverview.Service(data, client).AddFolderDestination(name, folder, who);
        }

        if (!int.TryParse(Port.Text.Trim(), out int port) || port is < 1 or > 65535)
        {
            Problem = $"Port: \"{Port.Text}\" is not a port number (1-65535).";
            return null;
        }

        string keyFile = KeyFile.Text.Trim();
        string? privateKey = null;
        if (keyFile.Length > 0)
        {
            if (!File.Exists(keyFile))
            {
                Problem = $"Private key file: {keyFile} does not exist.";
                return null;
            }

            privateKey = File.ReadAllText(keyFile);
        }

        var request = new SftpDestinationRequest(Host.Text.Trim(), port, User.Text.Trim(), RemotePath.Text.Trim(), Fingerprint.Text.Trim())
        {
            Password = Password.Text.Length > 0 ? new Secret(Password.Text) : null,
            PrivateKey = privateKey is null ? null : new Secret(privateKey),
            Passphrase = Passphrase.Text.Length > 0 ? new Secret(Passphrase.Text) : null,
        };
        return data => ExportsOverview.Service(data, client).AddSftpDestination(name, request, who);
    }
}
