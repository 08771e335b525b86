using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard status</c>: read directly from the data folder, or inside the watcher that holds it.</summary>
internal static class StatusCommands
{
    public static Command Status()
    {
        Option<string?> inbox = new("--inbox") { Description = "The local inbox to count waiting files in when no watcher runs (default: Onboard:Inbox:Path of the configuration, else ./inbox)." };
        Command command = new("status", "Show whether a watcher runs on the data folder, its inboxes, files waiting, and what runs next.\n\n" +
            "Reports the watcher (onboard watch or the TUI) holding the folder, the local inbox and the SFTP inboxes with their last poll and error, " +
            "the received files by state, each client's last audience processing, next scheduled exports and disk use. " +
            "Asked while a watcher runs, the watcher itself answers.\n\nExample: onboard status --data /var/lib/onboard --json")
        {
            inbox,
        };
        command.SetAction(result =>
        {
            CliContext context = result.Context();
            string dataPath = CommonOptions.DataFolderPath(result);
            if (context.HeldFolder is null && !Directory.Exists(dataPath))
            {
                result.Error().WriteLine($"error: there is no data folder at {dataPath} (--data or ONBOARD_DATA).");
                return ExitCodes.Failure;
            }

            using DataFolderLease lease = result.OpenDataFolder();

            // Run inside the holder (forwarded over its control socket): its own inbox and activity are the truth.
            WatcherState watcher;
            string inboxPath;
            if (context.Holder is { } holder && context.HeldFolder == lease.Folder)
            {
                watcher = new WatcherState(true, Environment.ProcessId, holder.Options.WatchInboxes, holder.Status.Text);
                inboxPath = holder.Options.Inbox.Path;
            }
            else
            {
                watcher = new WatcherState(false, null, false, null);
                inboxPath = context.FullPath(result.GetValue(inbox) ?? result.Configuration().Watcher().Inbox.Path);
            }

            StatusReport report = DataFolderStatus.Read(lease.Folder, inboxPath, watcher, TimeProvider.System);
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), report, StatusJsonContext.Default.StatusReport);
            }
            else
            {
                Print(result.Out(), report);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(TextWriter output, StatusReport report)
    {
        output.WriteLine($"data folder: {report.DataFolder}");
        output.WriteLine(report.Watcher.Running
            ? $"watcher:     running (process {report.Watcher.ProcessId}); {report.Watcher.Activity}"
            : "watcher:     not running");
        output.WriteLine(report.Inbox.Exists
            ? $"inbox:       {report.Inbox.Path}: {report.Inbox.Waiting} waiting, {report.Inbox.Processing} in .processing"
            : $"inbox:       {report.Inbox.Path} (does not exist)");
        ReceivedFileCounts files = report.Files;
        output.WriteLine($"files:       {files.Processed} processed, {files.Failed} failed, {files.Processing} processing, {files.Waiting} waiting" +
            (files.Latest is { } latest ? $"; latest {latest.Name} ({latest.Client}, {latest.State.ToString().ToLowerInvariant()}, {SegmentCommands.Time(latest.Received)})" : string.Empty));
        if (report.SftpInboxes.Count > 0)
        {
            output.WriteLine();
            TableWriter.Write(
                output,
                ["SFTP INBOX", "CLIENT", "HOST", "LAST POLL", "LAST SUCCESS", "NEXT POLL", "LAST ERROR"],
                report.SftpInboxes.Select(i => (IReadOnlyList<string>)
                    [i.Name, i.Client, i.Host, Time(i.LastPoll), Time(i.LastSuccess), Time(i.NextPoll), i.LastError ?? string.Empty]));
        }

        output.WriteLine();
        TableWriter.Write(
            output,
            ["CLIENT", "DISK", "LAST AUDIENCE PROCESSING", "NEXT EXPORT"],
            report.Clients.Select(c => (IReadOnlyList<string>)
            [
                c.Client,
                Size(c.DiskBytes),
                Time(c.LastAudienceProcessing),
                c.NextExports is [var next, ..] ? $"{Time(next.NextRun)} {next.Name} ({next.Audience})" : string.Empty,
            ]));
    }

    private static string Time(DateTimeOffset? time) => time is { } t ? SegmentCommands.Time(t) : "never";

    private static string Size(long bytes) => bytes switch
    {
        < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.0} GiB"),
    };
}

/// <summary>The holder's own state, lent to a command forwarded to it (see <see cref="Control.ControlEndpoint"/>).</summary>
internal sealed record HolderState(WatcherOptions Options, WatcherStatus Status);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
