using System.CommandLine;
using Onboarding.Engine.Audit;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard audit</c>: who did what, when.</summary>
internal static class AuditCommands
{
    public static Command Audit()
    {
        Option<string?> client = new("--client") { Description = "Only this client's actions (default: every action)." };
        Option<DateTimeOffset?> since = new("--since") { Description = "Only actions at or after this time (e.g. 2026-11-01 or 2026-11-01T09:00Z)." };
        Command command = new("audit", "List operator actions from the audit log, oldest first.\n\nExample: onboard audit --client acme --since 2026-11-01 --json")
        {
            client, since,
        };
        command.SetAction(result =>
        {
            // Reading needs no data-folder lock: the log is append-only and safe to read while the watcher writes.
            IReadOnlyList<AuditRecord> records = AuditLog.For(CommonOptions.DataFolderPath(result)).Read(result.GetValue(client), result.GetValue(since));
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), records, CliJsonContext.Default.IReadOnlyListAuditRecord);
                return ExitCodes.Success;
            }

            TableWriter.Write(
                result.Out(),
                ["TIME (UTC)", "WHO", "ACTION", "CLIENT", "TARGET", "DETAILS"],
                records.Select(r => (IReadOnlyList<string>)[SegmentCommands.Time(r.Time.ToUniversalTime()), r.Actor, r.Action, r.Client ?? "-", r.Target, r.Details ?? string.Empty]));
            return ExitCodes.Success;
        });
        return command;
    }
}
