using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard ingest</c> and <c>onboard validate</c>.</summary>
internal static class IngestCommands
{
    public static Command Ingest()
    {
        Argument<string[]> files = new("files") { Description = "Onboarding files to ingest, in order.", Arity = ArgumentArity.OneOrMore };
        Option<IngestionMode> mode = new("--mode") { Description = "delta (adds and removes), full (refresh the named segments) or static (create static segments).", DefaultValueFactory = _ => IngestionMode.Delta };
        Option<string> client = CommonOptions.Client("The client the files belong to.");
        Option<bool> dryRun = new("--dry-run") { Description = "Check the files and print what would change, without committing." };
        Option<bool> force = new("--force") { Description = "Apply duplicates, and refreshes that shrink or empty a segment past the guard." };
        Option<bool> hashEmails = new("--hash-emails") { Description = "Accept EMAIL rows by hashing them to HEMSHA2 (plaintext is never stored)." };
        Command command = new("ingest", "Ingest onboarding files into a client's segments.\n\nExample: onboard ingest HEMSHA2_acme_20260101.csv --client acme --mode delta")
        {
            files, mode, client, dryRun, force, hashEmails,
        };
        command.SetAction(result => Run(result, [.. result.GetValue(files)!], new IngestionRequest(string.Empty)
        {
            Client = result.GetValue(client)!,
            Mode = result.GetValue(mode),
            DryRun = result.GetValue(dryRun),
            Force = result.GetValue(force),
            HashEmails = result.GetValue(hashEmails),
        }));
        return command;
    }

    public static Command Validate()
    {
        Argument<string> file = new("file") { Description = "The onboarding file to check." };
        Option<IngestionMode> mode = new("--mode") { Description = "The mode the file is meant for.", DefaultValueFactory = _ => IngestionMode.Delta };
        Option<string> client = CommonOptions.Client("The client the file belongs to.");
        Command command = new("validate", "Check a file and print what ingesting it would change; commits nothing.\n\nExample: onboard validate HEMSHA2_acme_20260101.csv --json")
        {
            file, mode, client,
        };
        command.SetAction(result => Run(result, [result.GetValue(file)!], new IngestionRequest(string.Empty)
        {
            Client = result.GetValue(client)!,
            Mode = result.GetValue(mode),
            DryRun = true,
        }));
        return command;
    }

    private static int Run(ParseResult result, IReadOnlyList<string> files, IngestionRequest template)
    {
        bool json = result.GetValue(CommonOptions.Json);
        CliContext context = result.Context();
        files = [.. files.Select(context.FullPath)];
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                result.Error().WriteLine($"error: {file}: no such file.");
                return ExitCodes.Usage;
            }
        }

        using DataFolderLease lease = result.OpenDataFolder();
        DataFolder data = lease.Folder;
        var service = new IngestionService(data, result.ClientPolicies());
        var results = new List<IngestionResult>();
        using var progress = new TerminalProgress(context.Error, enabled: !json && context.Interactive);
        foreach (string file in files)
        {
            IngestionResult outcome = service.Ingest(template with { FilePath = file }, progress);
            progress.Clear();
            results.Add(outcome);
            if (!json)
            {
                PrintSummary(result.Out(), outcome);
            }
        }

        if (json)
        {
            CliJson.Write<IReadOnlyList<IngestionResult>>(result.Out(), results, CliJsonContext.Default.IReadOnlyListIngestionResult);
        }

        return results.All(r => r.IsApplied) ? ExitCodes.Success : ExitCodes.Failure;
    }

    internal static void PrintSummary(TextWriter output, IngestionResult r)
    {
        string verdict = r.Outcome switch
        {
            FileOutcome.Applied when r.DryRun => "would be applied",
            FileOutcome.Applied => "applied",
            FileOutcome.Duplicate => "duplicate, nothing changed",
            _ => "refused, nothing changed",
        };
        output.WriteLine($"{r.FileName} ({r.Client}, {r.Mode.ToString().ToLowerInvariant()}): {verdict}");
        if (r.Reason is not null)
        {
            output.WriteLine($"  reason: {r.Reason}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rows read {r.RowsRead:N0}, applied {r.RowsApplied:N0}, rejected {r.RowsRejected:N0}, new IDs {r.NewIds:N0}, {r.Duration.TotalSeconds:N2} s"));
        if (r.Segments.Count > 0)
        {
            TableWriter.Write(
                output,
                ["  SEGMENT", "TYPE", "BEFORE", "ADDED", "REMOVED", "AFTER"],
                r.Segments.Select(s => (IReadOnlyList<string>)["  " + s.Name + (s.Created ? " (new)" : string.Empty), SegmentCommands.TypeName(s.Type), N(s.SizeBefore), N(s.Added), N(s.Removed), N(s.SizeAfter)]));
        }

        if (r.RejectReportPath is not null)
        {
            output.WriteLine($"  rejected rows: {r.RejectReportPath}");
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
