using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Storage.Backup;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard backup</c> and <c>onboard restore</c>.</summary>
internal static class BackupCommands
{
    public static Command Backup()
    {
        Option<string> output = new("--out") { Description = "A new or empty folder outside the data folder.", Required = true };
        Command command = new("backup", "Take a consistent, verified copy of the data folder (segments, dictionaries, audiences, secrets, audit log).\n\nExample: onboard backup --out /backups/onboard-2026-11-23")
        {
            output,
        };
        command.SetAction(result =>
        {
            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            return Print(result, "backed up", new DataFolderBackup(data).Create(result.Context().FullPath(result.GetValue(output)!)));
        });
        return command;
    }

    public static Command Restore()
    {
        Option<string> from = new("--from") { Description = "The backup folder.", Required = true };
        Option<string?> user = new("--user") { Description = "Who restores, for the audit log (default: the operating-system user)." };
        Command command = new("restore", "Verify a backup and restore it into a new data folder (--data, which must not exist or be empty).\n\nExample: onboard restore --from /backups/onboard-2026-11-23 --data ./data-restored")
        {
            from, user,
        };
        command.SetAction(result =>
            Print(result, "restored", DataFolderBackup.Restore(result.GetValue(from)!, CommonOptions.DataFolderPath(result), result.GetValue(user))));
        return command;
    }

    private static int Print(ParseResult result, string verb, BackupReport report)
    {
        if (result.GetValue(CommonOptions.Json))
        {
            CliJson.Write(result.Out(), report, CliJsonContext.Default.BackupReport);
        }
        else
        {
            result.Out().WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{verb} {report.Files:N0} files ({report.Bytes:N0} bytes; {report.Clients.Count} clients, {report.Segments:N0} segment versions) in {report.Folder}, verified, in {report.Duration.TotalSeconds:N2} s"));
        }

        return ExitCodes.Success;
    }
}
