using System.CommandLine;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard files retry</c>: the operator's way to apply a file the inbox refused, e.g. past a guard with <c>--force</c>.</summary>
internal static class FileRetryCommands
{
    public static Command Retry()
    {
        Argument<string> file = new("file") { Description = "The failed file: its name as onboard files shows it, or its path in the inbox's failed/ folder." };
        Option<string> client = CommonOptions.Client("The client the file was received for.");
        Option<bool> force = new("--force") { Description = "Apply it although a guard refused it (a refresh shrinking, or a delta emptying, a large segment; content already applied). Recorded in the audit log." };
        Option<string?> user = new("--user") { Description = "Who forces it, for the audit log (default: the operating-system user)." };
        Command command = new("retry", "Ingest again a file the inbox put in failed/, with the client and mode it arrived with; applied, it moves to processed/.\n\n" +
            "Example: onboard files retry HEMSHA2_acme_20260101.csv --client acme --force")
        {
            file, client, force, user,
        };
        command.SetAction(result =>
        {
            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            CliContext context = result.Context();

            // Inside a running watcher, its own decoding key and thresholds; otherwise the configuration's.
            Hosting.WatcherOptions options = context.Holder?.Options ?? result.Configuration().Watcher();
            var retry = new InboxRetry(data, new IngestionService(data, options.Clients), new InboundDecoder(options.Decoding));
            string name = result.GetValue(file)!;
            try
            {
                ReceivedFile received = retry.Find(result.GetValue(client)!, name.Contains(Path.DirectorySeparatorChar) ? context.FullPath(name) : name);
                RetryOutcome outcome = retry.Retry(received, result.GetValue(force), result.GetValue(user));
                if (result.GetValue(CommonOptions.Json))
                {
                    CliJson.Write<IReadOnlyList<IngestionResult>>(result.Out(), [outcome.Result], CliJsonContext.Default.IReadOnlyListIngestionResult);
                }
                else if (outcome.Repaired)
                {
                    result.Out().WriteLine($"{received.Name} ({received.Client}): already applied by an earlier retry that was interrupted before it saved the file's record; " +
                        $"the record, which still said failed, now says processed, at {outcome.Path}. Nothing was ingested again.");
                }
                else
                {
                    IngestCommands.PrintSummary(result.Out(), outcome.Result);
                    result.Out().WriteLine($"  {(outcome.Processed ? "moved to" : "still in")} {outcome.Path}");
                }

                return outcome.Processed ? ExitCodes.Success : ExitCodes.Failure;
            }
            catch (InboxRetryException ex)
            {
                result.Error().WriteLine($"error: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
