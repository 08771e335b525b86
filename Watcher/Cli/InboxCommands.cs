using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard inbox add-sftp|list|test|remove</c>: SFTP inboxes. Secrets are read from the environment, stdin or a key file, stored encrypted, and never printed.</summary>
internal static class InboxCommands
{
    public static Command Inbox() => new("inbox", "Manage SFTP inboxes: remote folders polled for clients' files, delivered into the local inbox.")
    {
        AddSftp(),
        List(),
        Test(),
        Remove(),
    };

    private static Command AddSftp()
    {
        Argument<string> name = new("name") { Description = "The inbox's name (unique in the data folder)." };
        Option<string> client = CommonOptions.Client("The client whose files arrive in this inbox.");
        Option<string> host = new("--host") { Description = "The SFTP server.", Required = true };
        Option<int> port = new("--port") { Description = "The SSH port.", DefaultValueFactory = _ => 22 };
        Option<string> user = new("--user") { Description = "The SFTP user name.", Required = true };
        var credentials = new CredentialOptions();
        Option<string> folder = new("--folder") { Description = "The remote folder to poll.", Required = true };
        Option<string> fingerprint = new("--fingerprint") { Description = "The server's host-key SHA-256 fingerprint (SHA256:...), checked out of band. Required: there is no trust-any mode.", Required = true };
        Option<string> interval = new("--interval") { Description = "How often to poll: 30s, 5m, 1h.", DefaultValueFactory = _ => "60s" };
        Option<string> after = new("--after") { Description = "What to do with a remote file once delivered: move (to processed/) or delete.", DefaultValueFactory = _ => "move" };
        Command command = new("add-sftp", "Add an SFTP inbox.\n\nExample: ONBOARD_SFTP_PW=... onboard inbox add-sftp acme-main --client acme --host sftp.acme.com --user onboard --password-env ONBOARD_SFTP_PW --folder /outbound --fingerprint SHA256:uJ2S0c...")
        {
            name, client, host, port, user, folder, fingerprint, interval, after,
        };
        foreach (Option option in credentials.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(result =>
        {
            if (!TryParseInterval(result.GetValue(interval)!, out TimeSpan every))
            {
                return Usage(result, $"--interval \"{result.GetValue(interval)}\" is not a duration like 30s, 5m or 1h.");
            }

            AfterDownload? afterDownload = result.GetValue(after) switch
            {
                "move" or "move-to-processed" => AfterDownload.MoveToProcessed,
                "delete" => AfterDownload.Delete,
                _ => null,
            };
            if (afterDownload is null)
            {
                return Usage(result, $"--after must be move or delete, not \"{result.GetValue(after)}\".");
            }

            if (credentials.Read(result, out string? problem) is not { } secrets)
            {
                return Usage(result, problem!);
            }

            string data = CommonOptions.DataFolderPath(result);
            SftpInbox draft = new()
            {
                Name = result.GetValue(name)!,
                Client = result.GetValue(client)!,
                PollInterval = every,
                AfterDownload = afterDownload.Value,
                Created = DateTimeOffset.UtcNow,
                Endpoint = new SftpEndpoint
                {
                    Host = result.GetValue(host)!,
                    Port = result.GetValue(port),
                    User = result.GetValue(user)!,
                    RemoteFolder = result.GetValue(folder)!,
                    HostKeyFingerprint = SftpEndpoint.NormalizeFingerprint(result.GetValue(fingerprint)!),
                },
            };
            SftpInbox.ValidateName(draft.Name);
            SecretProtector protector;
            try
            {
                protector = SecretProtector.Open(data);
            }
            catch (SecretKeyException ex)
            {
                result.Error().WriteLine($"error: {ex.Message}");
                return ExitCodes.Failure;
            }

            string scope = draft.SecretScope;
            SftpInbox inbox = draft with
            {
                Endpoint = draft.Endpoint with
                {
                    Password = secrets.Password is { } password ? protector.Protect(password, scope + "/password") : null,
                    PrivateKey = secrets.PrivateKey is { } privateKey ? protector.Protect(privateKey, scope + "/private-key") : null,
                    Passphrase = secrets.Passphrase is { } passphrase ? protector.Protect(passphrase, scope + "/passphrase") : null,
                },
            };
            new SftpInboxStore(data).Add(inbox);
            result.Out().WriteLine($"Added SFTP inbox {inbox.Name} for client {inbox.Client}: {inbox.Endpoint.Display}");
            result.Out().WriteLine($"  {inbox.Endpoint.Authentication} {Secret.Masked}, encrypted with key {protector.CurrentKeyId} ({protector.KeySource})");
            result.Out().WriteLine($"  host key pinned to SHA256:{inbox.Endpoint.HostKeyFingerprint}; polled every {Interval(inbox.PollInterval)}; then {After(inbox.AfterDownload)}");
            result.Out().WriteLine($"  Check it with: onboard inbox test {inbox.Name}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        Option<string?> client = new("--client") { Description = "Only this client's inboxes." };
        Command command = new("list", "List SFTP inboxes and their polling status (secrets are never shown).\n\nExample: onboard inbox list --json") { client };
        command.SetAction(result =>
        {
            var store = new SftpInboxStore(CommonOptions.DataFolderPath(result));
            List<(SftpInbox Inbox, SftpInboxStatus Status)> rows = [.. store.List(result.GetValue(client)).Select(i => (i, store.ReadStatus(i)))];
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write<IReadOnlyList<InboxJson>>(result.Out(), [.. rows.Select(r => ToJson(r.Inbox, r.Status))], InboxJsonContext.Default.IReadOnlyListInboxJson);
                return ExitCodes.Success;
            }

            TableWriter.Write(
                result.Out(),
                ["NAME", "CLIENT", "ENDPOINT", "AUTH", "HOST KEY", "EVERY", "AFTER", "LAST POLL", "LAST SUCCESS", "FILES", "LAST ERROR"],
                rows.Select(r => (IReadOnlyList<string>)[
                    r.Inbox.Name, r.Inbox.Client, r.Inbox.Endpoint.Display, $"{r.Inbox.Endpoint.Authentication} {Secret.Masked}",
                    "SHA256:" + r.Inbox.Endpoint.HostKeyFingerprint[..12] + "…", Interval(r.Inbox.PollInterval),
                    r.Inbox.AfterDownload == AfterDownload.Delete ? "delete" : "move", Time(r.Status.LastPoll), Time(r.Status.LastSuccess),
                    r.Status.FilesDelivered.ToString(CultureInfo.InvariantCulture), OneLine(r.Status.LastError)]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Test()
    {
        Argument<string> name = new("name") { Description = "The inbox to test." };
        Command command = new("test", "Connect to an SFTP inbox, check its host key against the pin, list its folder; changes nothing.\n\nExample: onboard inbox test acme-main") { name };
        command.SetAction(async (result, cancellation) =>
        {
            string data = CommonOptions.DataFolderPath(result);
            if (new SftpInboxStore(data).Find(result.GetValue(name)!) is not { } inbox)
            {
                result.Error().WriteLine($"error: no SFTP inbox named \"{result.GetValue(name)}\" (see onboard inbox list).");
                return ExitCodes.Failure;
            }

            result.Out().WriteLine($"Testing {inbox.Name} ({inbox.Client}): {inbox.Endpoint.Display}");
            try
            {
                var connector = new SftpConnector(SecretProtector.Open(data));
                using SftpClient client = await connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, cancellation);
                result.Out().WriteLine($"  host key SHA256:{inbox.Endpoint.HostKeyFingerprint} matches the pin");
                result.Out().WriteLine($"  authenticated as {inbox.Endpoint.User} ({inbox.Endpoint.Authentication})");
                var waiting = new List<ISftpFile>();
                int ignored = 0;
                await foreach (ISftpFile file in client.ListDirectoryAsync(inbox.Endpoint.RemoteFolder, cancellation))
                {
                    if (file.Name is "." or ".." || file.IsDirectory)
                    {
                        continue;
                    }

                    if (file.IsRegularFile && RemoteFileName.Problem(file.Name) is null && !SftpInboxPoller.IsInProgressName(file.Name))
                    {
                        waiting.Add(file);
                    }
                    else
                    {
                        ignored++;
                    }
                }

                result.Out().WriteLine($"  folder {inbox.Endpoint.RemoteFolder}: {waiting.Count} file(s) waiting ({waiting.Sum(f => f.Length):N0} bytes){(ignored > 0 ? $", {ignored} ignored (in progress, hidden or unsafe names)" : string.Empty)}");
                foreach (ISftpFile file in waiting.OrderBy(f => f.LastWriteTimeUtc).Take(20))
                {
                    result.Out().WriteLine($"    {file.Name}  {file.Length:N0} bytes  {file.LastWriteTimeUtc:yyyy-MM-dd HH:mm:ss}Z");
                }

                result.Out().WriteLine("OK");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is Engine.Sftp.SftpException or SecretKeyException or Renci.SshNet.Common.SshException)
            {
                result.Error().WriteLine($"error: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Command Remove()
    {
        Argument<string> name = new("name") { Description = "The inbox to remove." };
        Command command = new("remove", "Remove an SFTP inbox (files already delivered stay; its delivery ledger is kept).\n\nExample: onboard inbox remove acme-main") { name };
        command.SetAction(result =>
        {
            if (!new SftpInboxStore(CommonOptions.DataFolderPath(result)).Remove(result.GetValue(name)!))
            {
                result.Error().WriteLine($"error: no SFTP inbox named \"{result.GetValue(name)}\".");
                return ExitCodes.Failure;
            }

            result.Out().WriteLine($"Removed SFTP inbox {result.GetValue(name)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static bool TryParseInterval(string text, out TimeSpan interval)
    {
        interval = default;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        (string number, double unit) = char.ToLowerInvariant(text[^1]) switch
        {
            's' => (text[..^1], 1d),
            'm' => (text[..^1], 60d),
            'h' => (text[..^1], 3600d),
            _ => (text, 1d),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            return false;
        }

        interval = TimeSpan.FromSeconds(value * unit);
        return true;
    }

    private static InboxJson ToJson(SftpInbox i, SftpInboxStatus s) => new(
        i.Name, i.Client, i.Endpoint.Host, i.Endpoint.Port, i.Endpoint.User, i.Endpoint.RemoteFolder, i.Endpoint.Authentication, Secret.Masked,
        "SHA256:" + i.Endpoint.HostKeyFingerprint, (int)i.PollInterval.TotalSeconds, i.AfterDownload == AfterDownload.Delete ? "delete" : "move-to-processed",
        s.LastPoll, s.LastSuccess, s.LastError, s.LastErrorAt, s.ConsecutiveFailures, s.NextPoll, s.FilesDelivered, s.BytesDelivered);

    private static string Interval(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours}h"
        : t.TotalMinutes >= 1 && t.TotalMinutes == Math.Floor(t.TotalMinutes) ? $"{t.TotalMinutes}m"
        : $"{t.TotalSeconds}s";

    private static string After(AfterDownload after) => after == AfterDownload.Delete ? "delete the remote file" : "move the remote file to processed/";

    private static string Time(DateTimeOffset? time) => time is { } t ? SegmentCommands.Time(t.ToLocalTime()) : "-";

    private static string OneLine(string? text) => text is null ? "-" : text.Length > 80 ? text[..80].ReplaceLineEndings(" ") + "…" : text.ReplaceLineEndings(" ");

    private static int Usage(ParseResult result, string message)
    {
        result.Error().WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}

internal sealed record InboxJson(
    string Name, string Client, string Host, int Port, string User, string Folder, string Auth, string Secret, string HostKeyFingerprint,
    int IntervalSeconds, string After, DateTimeOffset? LastPoll, DateTimeOffset? LastSuccess, string? LastError, DateTimeOffset? LastErrorAt,
    int ConsecutiveFailures, DateTimeOffset? NextPoll, long FilesDelivered, long BytesDelivered);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(IReadOnlyList<InboxJson>))]
internal sealed partial class InboxJsonContext : JsonSerializerContext;
