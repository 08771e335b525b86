using System.CommandLine;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Configuration;
using Onboarding.Watcher.Control;
using Onboarding.Engine.Storage.Backup;

namespace Onboarding.Watcher.Cli;

/// <summary>The <c>onboard</c> command tree; every command is thin over the Engine's services.</summary>
internal static class OnboardCommandLine
{
    public static RootCommand Build(CliContext context)
    {
        OnboardRootCommand root = new(context, "onboard: ingest onboarding files into segments, and inspect them.")
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
            StatusCommands.Status(),
            ConfigCommands.Config(),
            InboxCommands.Inbox(),
            KeyCommands.Keys(),
            DestinationCommands.Destination(),
            EncryptionCommands.Encryption(),
            ExportCommands.Export(),
            ForgetCommands.Forget(),
            AuditCommands.Audit(),
            BackupCommands.Backup(),
            BackupCommands.Restore(),
        };
        return root;
    }

    /// <summary>
    /// Runs a command line: usage errors exit 2, refused work exits 1, with a clear message on stderr. A command that
    /// finds its data folder held by <c>onboard watch</c> or the TUI runs inside that process instead.
    /// </summary>
    public static int Run(string[] args, CliContext? context = null)
    {
        context ??= CliContext.ForThisProcess();
        return Invoke(Parse(args, context), context, args);
    }

    // No response files: an audience expression may start with @ ('@"Gold golfers" AND ...').
    public static ParseResult Parse(string[] args, CliContext context) =>
        Build(context).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    public static int Invoke(ParseResult result, CliContext context, IReadOnlyList<string> args)
    {
        TextWriter error = context.Error;
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
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = context.Out, Error = context.Error });
        }
        catch (DataFolderLockedException ex)
        {
            // Commands open the data folder before they write anything, so the whole command line can run over there.
            if (context.HeldFolder is null && ControlClient.TryForward(CommonOptions.DataFolderPath(result), args, context) is { } exitCode)
            {
                return exitCode;
            }

            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is ConfigurationException or ExportException or BackupException or SecretKeyException or AudienceRuleException or AudienceExpressionException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
