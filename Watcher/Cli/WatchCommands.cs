using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Configuration;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard watch</c> and <c>onboard files</c>.</summary>
internal static class WatchCommands
{
    public static Command Watch()
    {
        Option<string?> inbox = new("--inbox") { Description = "The inbox folder to watch (default ./inbox)." };
        Option<double?> settle = new("--settle") { Description = "Seconds a file's size and time must stay unchanged before it is taken (default 2; a file renamed into the inbox is taken at once)." };
        Option<double?> rescan = new("--rescan") { Description = "Seconds between full rescans of the inbox (default 30)." };
        Option<string?> pgpKey = new("--pgp-key") { Description = $"Armored OpenPGP secret key file for .pgp/.gpg/.asc files (or {WatcherOptions.PgpKeyVariable}); its passphrase comes from {WatcherOptions.PgpPassphraseVariable} or configuration, never the command line." };
        Option<long?> maxDecoded = new("--max-decoded-bytes") { Description = "Largest decoded (decompressed/decrypted) size accepted; larger files are refused as decompression bombs (default 16 GiB)." };
        Command command = new("watch", "Watch the inbox and ingest every complete file dropped there, until Ctrl+C or SIGTERM.\n\n" +
            "Files directly in the inbox belong to client 'default'; inbox/<client>/ selects a client; a static/ or full/ subfolder selects the mode (delta otherwise). " +
            "Files move to .processing/, then processed/<date>/<client>/ or failed/<date>/<client>/ with their summary (see inbox/README.md).\n\n" +
            "Example: onboard watch --inbox /srv/inbox --data /srv/data")
        {
            inbox, settle, rescan, pgpKey, maxDecoded,
        };
        command.SetAction(result =>
        {
            string dataPath = CommonOptions.DataFolderPath(result);
            var commandLine = new Dictionary<string, (string Value, string Option)>(StringComparer.OrdinalIgnoreCase);
            AddOption(commandLine, "Inbox:Path", result.GetValue(inbox), inbox);
            AddOption(commandLine, "Inbox:SettleSeconds", result.GetValue(settle), settle);
            AddOption(commandLine, "Inbox:RescanSeconds", result.GetValue(rescan), rescan);
            AddOption(commandLine, "Inbox:MaxDecodedBytes", result.GetValue(maxDecoded), maxDecoded);
            AddOption(commandLine, "Inbox:PgpKeyFile", result.GetValue(pgpKey), pgpKey);
            OnboardConfiguration configuration = OnboardConfiguration.Load(dataPath, result.Context().Variables(), commandLine);
            WatcherOptions options = configuration.Watcher();
            options.DataPath = dataPath;
            options.Inbox.Path = result.Context().FullPath(options.Inbox.Path);

            HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = [],
                ContentRootPath = Environment.CurrentDirectory,
            });
            builder.Logging.ClearProviders();
            builder.Logging.AddConfiguration(configuration.Logging);
            if (SystemdHelpers.IsSystemdService())
            {
                // journald adds its own timestamps and reads the <N> priority prefixes this format writes.
                builder.Logging.AddSystemdConsole();
            }
            else
            {
                builder.Logging.AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
                    console.UseUtcTimestamp = true;
                    console.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }

            // Type=notify: tells systemd when the watcher is ready and when it is stopping (a no-op outside systemd).
            builder.Services.AddSystemd();

            // Opened here so a locked or damaged data folder is a clear error before anything starts.
            using DataFolder data = DataFolder.Open(options.DataPath);
            builder.Services.AddSingleton(data);
            builder.Services.AddOnboardingHost(options);
            using IHost host = builder.Build();
            host.Run();
            return ExitCodes.Success;
        });
        return command;
    }

    private static void AddOption<T>(Dictionary<string, (string Value, string Option)> commandLine, string key, T? value, Option option)
    {
        if (value is not null)
        {
            commandLine[key] = (Convert.ToString(value, CultureInfo.InvariantCulture)!, option.Name);
        }
    }

    public static Command Files()
    {
        Option<string?> client = new("--client") { Description = "Only this client's files." };
        Option<ReceivedFileState?> state = new("--state") { Description = "Only files in this state: waiting, processing, processed or failed." };
        Command command = new("files", "List the files received through the inboxes, oldest first, with their state and outcome.\n\nExample: onboard files --client acme --state failed")
        {
            client, state, FileRetryCommands.Retry(),
        };
        command.SetAction(result =>
        {
            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            IReadOnlyList<ReceivedFile> files = data.Catalog.ReceivedFiles(result.GetValue(client), result.GetValue(state));
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), files, ReceivedFileJsonContext.Default.IReadOnlyListReceivedFile);
                return ExitCodes.Success;
            }

            TableWriter.Write(
                result.Out(),
                ["RECEIVED", "CLIENT", "FILE", "MODE", "STATE", "ROWS", "REJECTED", "SECONDS", "SOURCE", "REPORT OR REASON"],
                files.Select(f => (IReadOnlyList<string>)
                [
                    SegmentCommands.Time(f.Received),
                    f.Client,
                    f.Name,
                    f.Mode.ToString().ToLowerInvariant(),
                    f.State.ToString().ToLowerInvariant() + (f.Outcome is { } outcome && outcome != FileOutcome.Applied ? $" ({outcome.ToString().ToLowerInvariant()})" : string.Empty),
                    f.RowsRead.ToString("N0", CultureInfo.InvariantCulture),
                    f.RowsRejected.ToString("N0", CultureInfo.InvariantCulture),
                    f.Duration is { } d ? d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) : string.Empty,
                    f.Source,
                    f.State == ReceivedFileState.Processed ? f.ReportPath ?? string.Empty : f.Reason ?? f.ReportPath ?? string.Empty,
                ]));
            return ExitCodes.Success;
        });
        return command;
    }
}
