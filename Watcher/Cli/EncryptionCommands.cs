using System.CommandLine;
using Onboarding.Engine.Exports;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard encryption add|list|show|remove</c>: OpenPGP public keys exports are encrypted to.</summary>
internal static class EncryptionCommands
{
    private static readonly Option<string> ClientOption = CommonOptions.Client("The client that owns the encryptions.");

    public static Command Encryption() => new("encryption", "Manage export encryptions: OpenPGP public keys, each of which can decrypt the files.")
    {
        Add(), List(), Show(), Remove(),
    };

    private static Command Add()
    {
        Argument<string> name = new("name") { Description = "The encryption's name (unique per client)." };
        Option<string[]> keys = new("--key") { Description = "An armored public key file (gpg --armor --export ...); repeat for several recipients.", Required = true, AllowMultipleArgumentsPerToken = false };
        Option<string?> createdBy = DestinationCommands.CreatedBy();
        Command command = new("add", "Add a PGP encryption. Each key must have a valid encryption (sub)key: not sign-only, revoked or expired.\n\nExample: onboard encryption add partner-pgp --key partner.asc --key ops.asc")
        {
            name, keys, createdBy, ClientOption,
        };
        command.SetAction(result =>
        {
            List<string> armored = [];
            foreach (string path in result.GetValue(keys)!)
            {
                if (!File.Exists(result.Context().FullPath(path)))
                {
                    result.Error().WriteLine($"error: {path}: no such key file.");
                    return ExitCodes.Usage;
                }

                armored.Add(File.ReadAllText(result.Context().FullPath(path)));
            }

            Encryption encryption = Service(result).AddEncryption(result.GetValue(name)!, armored, result.GetValue(createdBy) ?? Environment.UserName);
            return Print(result, [encryption]);
        });
        return command;
    }

    private static Command List()
    {
        Command command = new("list", "List encryptions and their recipients.\n\nExample: onboard encryption list") { ClientOption };
        command.SetAction(result => Print(result, Service(result).Store.ListEncryptions()));
        return command;
    }

    private static Command Show()
    {
        Argument<string> name = new("name") { Description = "The encryption." };
        Command command = new("show", "Show one encryption.\n\nExample: onboard encryption show partner-pgp") { name, ClientOption };
        command.SetAction(result => Print(result, [Service(result).GetEncryption(result.GetValue(name)!)]));
        return command;
    }

    private static Command Remove()
    {
        Argument<string> name = new("name") { Description = "The encryption to remove." };
        Command command = new("remove", "Remove an encryption no active or paused export uses.\n\nExample: onboard encryption remove partner-pgp") { name, ClientOption };
        command.SetAction(result =>
        {
            Service(result).RemoveEncryption(result.GetValue(name)!);
            result.Out().WriteLine($"Removed encryption {result.GetValue(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static ExportService Service(ParseResult result) => new(CommonOptions.DataFolderPath(result), result.GetValue(ClientOption)!);

    private static int Print(ParseResult result, IReadOnlyList<Encryption> encryptions)
    {
        if (result.GetValue(CommonOptions.Json))
        {
            CliJson.Write(result.Out(), encryptions, ExportCliJsonContext.Default.IReadOnlyListEncryption);
            return ExitCodes.Success;
        }

        TableWriter.Write(
            result.Out(),
            ["NAME", "TYPE", "RECIPIENT", "ENCRYPTION KEY", "EXPIRES", "CREATED BY", "CREATED ON"],
            encryptions.SelectMany(e => e.Recipients.Select(r => (IReadOnlyList<string>)[
                e.Name, e.Type, r.UserId, $"{r.EncryptionKeyId} ({r.Algorithm})", r.Expires is { } x ? $"{x:yyyy-MM-dd}" : "never",
                e.CreatedBy, SegmentCommands.Time(e.CreatedOn.ToLocalTime())])));
        return ExitCodes.Success;
    }
}
