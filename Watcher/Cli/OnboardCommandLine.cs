using System.CommandLine;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Storage.Backup;

namespace Onboarding.Watcher.Cli;

/// <summary>The <c>onboard</c> command tree; every command is thin over the Engine's services.</summary>
internal static class OnboardCommandLine
{
    public static RootCommand Build()
    {
        RootCommand root = new("onboard: ingest onboarding files into segments, and inspect them.")
        {
            CommonOptions.Data,
            CommonOptions.Json,
            IngestCommands.Ingest(),
            IngestCommands.Validate(),
            SegmentCommands.List(),
            SegmentCommands.Show(),
            AudienceCommands.Audience(),
            AudienceCommands.Overlap(),
            AudienceCommands.Process(),
            WatchCommands.Watch(),
            WatchCommands.Files(),
            InboxCommands.Inbox(),
            KeyCommands.Keys(),
            ForgetCommands.Forget(),
            AuditCommands.Audit(),
            BackupCommands.Backup(),
            BackupCommands.Restore(),
        };
        return root;
    }

    /// <summary>Runs a command line: usage errors exit 2, refused work exits 1, with a clear message on stderr.</summary>
    public static int Run(string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        // No response files: an audience expression may start with @ ('@"Gold golfers" AND ...').
        ParseResult result = Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (result.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in result.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }

            error.WriteLine("Run 'onboard --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ex is AudienceRuleException or BackupException or AudienceExpressionException or DataFolderLockedException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
