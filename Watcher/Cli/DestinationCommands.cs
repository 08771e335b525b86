using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard destination add|list|show|test|remove</c>: where exports are delivered. Secrets are stored encrypted and never printed.</summary>
internal static class DestinationCommands
{
    private static readonly Option<string> ClientOption = CommonOptions.Client("The client that owns the destinations.");

    public static Command Destination() => new("destination", "Manage export destinations: SFTP folders (pinned host key) or local folders.")
    {
        Add(), List(), Show(), Test(), Remove(),
    };

    private static Command Add()
    {
        Argument<string> name = new("name") { Description = "The destination's name (unique per client)." };
        Option<string> type = new("--type") { Description = "sftp or folder.", DefaultValueFactory = _ => "sftp" };
        type.AcceptOnlyFromAmong("sftp", "folder");
        Option<string?> host = new("--host") { Description = "The SFTP server." };
        Option<int> port = new("--port") { Description = "The SSH port.", DefaultValueFactory = _ => 22 };
        Option<string?> user = new("--user") { Description = "The SFTP user name." };
        Option<string> path = new("--path") { Description = "The folder files are delivered to (remote for sftp, an absolute local path for folder).", Required = true };
        Option<string?> fingerprint = new("--fingerprint") { Description = "The server's host-key SHA-256 fingerprint (SHA256:...), checked out of band. Required for sftp: there is no trust-any mode." };
        Option<string?> createdBy = CreatedBy();
        var credentials = new CredentialOptions();
        Command command = new("add", "Add a destination.\n\nExample: ONBOARD_DEST_PW=... onboard destination add partner --host sftp.partner.com --user acme --password-env ONBOARD_DEST_PW --path /incoming --fingerprint SHA256:uJ2S0c...")
        {
            name, type, host, port, user, path, fingerprint, createdBy, ClientOption,
        };
        foreach (Option option in credentials.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result =>
        {
            string data = CommonOptions.DataFolderPath(result);
            string who = result.GetValue(createdBy) ?? Environment.UserName;
            Destination destination;
            if (result.GetValue(type) == "folder")
            {
                destination = new ExportService(data, result.GetValue(ClientOption)!).AddFolderDestination(result.GetValue(name)!, result.Context().FullPath(result.GetValue(path)!), who);
            }
            else
            {
                if (result.GetValue(host) is not { } server || result.GetValue(user) is not { } account || result.GetValue(fingerprint) is not { } pin)
                {
                    return Usage(result, "an sftp destination needs --host, --user and --fingerprint.");
                }

                if (credentials.Read(result, out string? problem) is not { } secrets)
                {
                    return Usage(result, problem!);
                }

                var service = new ExportService(data, result.GetValue(ClientOption)!, SecretProtector.Open(data));
                destination = service.AddSftpDestination(result.GetValue(name)!, new SftpDestinationRequest(server, result.GetValue(port), account, result.GetValue(path)!, pin)
                {
                    Password = secrets.Password,
                    PrivateKey = secrets.PrivateKey,
                    Passphrase = secrets.Passphrase,
                }, who);
            }

            return Print(result, [destination], $"Added destination {destination.Name}: {destination.Display}. Check it with: onboard destination test {destination.Name}");
        });
        return command;
    }

    private static Command List()
    {
        Command command = new("list", "List destinations (secrets are never shown).\n\nExample: onboard destination list --json") { ClientOption };
        command.SetAction(result => Print(result, Service(result).Store.ListDestinations(), null));
        return command;
    }

    private static Command Show()
    {
        Argument<string> name = new("name") { Description = "The destination." };
        Command command = new("show", "Show one destination.\n\nExample: onboard destination show partner") { name, ClientOption };
        command.SetAction(result => Print(result, [Service(result).GetDestination(result.GetValue(name)!)], null));
        return command;
    }

    private static Command Test()
    {
        Argument<string> name = new("name") { Description = "The destination to test." };
        Command command = new("test", "Connect (checking the pinned host key), write a temporary file and delete it; report each step.\n\nExample: onboard destination test partner") { name, ClientOption };
        command.SetAction(async (result, cancellation) =>
        {
            string data = CommonOptions.DataFolderPath(result);
            var service = new ExportService(data, result.GetValue(ClientOption)!, SecretProtector.Open(data));
            DestinationTestResult test = await service.TestDestinationAsync(result.GetValue(name)!, cancellation);
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), test, ExportCliJsonContext.Default.DestinationTestResult);
            }
            else
            {
                result.Out().WriteLine($"Testing {result.GetValue(name)}: {test.Destination}");
                foreach (string step in test.Steps)
                {
                    result.Out().WriteLine($"  {step}");
                }

                if (test.Succeeded)
                {
                    result.Out().WriteLine("OK");
                }
                else
                {
                    result.Error().WriteLine($"error: {test.Error}");
                }
            }

            return test.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Remove()
    {
        Argument<string> name = new("name") { Description = "The destination to remove." };
        Command command = new("remove", "Remove a destination no active or paused export uses.\n\nExample: onboard destination remove partner") { name, ClientOption };
        command.SetAction(result =>
        {
            Service(result).RemoveDestination(result.GetValue(name)!);
            result.Out().WriteLine($"Removed destination {result.GetValue(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Option<string?> CreatedBy() => new("--created-by") { Description = "Who creates it (default: the operating-system user)." };

    private static ExportService Service(ParseResult result) => new(CommonOptions.DataFolderPath(result), result.GetValue(ClientOption)!);

    private static int Print(ParseResult result, IReadOnlyList<Destination> destinations, string? message)
    {
        if (result.GetValue(CommonOptions.Json))
        {
            CliJson.Write<IReadOnlyList<DestinationJson>>(result.Out(), [.. destinations.Select(DestinationJson.From)], ExportCliJsonContext.Default.IReadOnlyListDestinationJson);
            return ExitCodes.Success;
        }

        if (message is not null)
        {
            result.Out().WriteLine(message);
        }

        TableWriter.Write(
            result.Out(),
            ["NAME", "TYPE", "HOST", "PORT", "PATH", "USER", "AUTH", "HOST KEY", "CREATED BY", "CREATED ON"],
            destinations.Select(d => (IReadOnlyList<string>)[
                d.Name, d.Type == DestinationType.Sftp ? "sftp" : "folder", d.Sftp?.Host ?? "-", d.Sftp?.Port.ToString(CultureInfo.InvariantCulture) ?? "-", d.Path,
                d.Sftp?.User ?? "-", d.Sftp is { } s ? $"{s.Authentication} {Secret.Masked}" : "-", d.Sftp is { } k ? "SHA256:" + k.HostKeyFingerprint[..12] + "…" : "-",
                d.CreatedBy, SegmentCommands.Time(d.CreatedOn.ToLocalTime())]));
        return ExitCodes.Success;
    }

    private static int Usage(ParseResult result, string message)
    {
        result.Error().WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}

/// <summary>A destination as scripts see it: the secret is only ever "set".</summary>
internal sealed record DestinationJson(string Name, string Type, string? Host, int? Port, string Path, string? User, string? Auth, string? Secret, string? HostKeyFingerprint, string CreatedBy, DateTimeOffset CreatedOn)
{
    public static DestinationJson From(Destination d) => new(
        d.Name, d.Type == DestinationType.Sftp ? "sftp" : "folder", d.Sftp?.Host, d.Sftp?.Port, d.Path, d.Sftp?.User, d.Sftp?.Authentication,
        d.Sftp is null ? null : Engine.Security.Secret.Masked, d.Sftp is { } s ? "SHA256:" + s.HostKeyFingerprint : null, d.CreatedBy, d.CreatedOn);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<DestinationJson>))]
[JsonSerializable(typeof(DestinationTestResult))]
[JsonSerializable(typeof(IReadOnlyList<Encryption>))]
[JsonSerializable(typeof(IReadOnlyList<ExportConfiguration>))]
[JsonSerializable(typeof(IReadOnlyList<ExportRun>))]
[JsonSerializable(typeof(ExportRun))]
[JsonSerializable(typeof(ExportDetailJson))]
[JsonSerializable(typeof(LocalExport))]
[JsonSerializable(typeof(ExportSettingsJson))]
internal sealed partial class ExportCliJsonContext : JsonSerializerContext;
