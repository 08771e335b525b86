using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Privacy;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard forget</c>: the right to erasure.</summary>
internal static class ForgetCommands
{
    public static Command Forget()
    {
        Argument<string[]> ids = new("ids") { Description = "The IDs to forget.", Arity = ArgumentArity.ZeroOrMore };
        Option<string> client = CommonOptions.Client("The client whose customers these are.");
        Option<string> idType = new("--id-type") { Description = "HEMSHA2, HEMSHA1, HEMMD5, MAID or IP.", Required = true };
        Option<string?> file = new("--file") { Description = "A file of IDs, one per line (blank lines and lines starting with # are skipped)." };
        Option<bool> undo = new("--undo") { Description = "Allow the IDs again: later uploads may add them back (memberships already removed stay removed)." };
        Option<string?> user = new("--user") { Description = "Who asks, for the audit log (default: the operating-system user)." };
        Command command = new("forget", "Forget IDs: remove them from every segment now and keep them out of every later upload, audience and export.\n\n" +
            "Example: onboard forget --client acme --id-type HEMSHA2 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")
        {
            ids, client, idType, file, undo, user,
        };
        command.SetAction(result =>
        {
            if (!IdTypes.TryParse(result.GetValue(idType), out IdType type))
            {
                result.Error().WriteLine($"error: unknown ID type \"{result.GetValue(idType)}\": expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP.");
                return ExitCodes.Usage;
            }

            string? path = result.GetValue(file);
            List<string> given = [.. result.GetValue(ids) ?? []];
            if ((path is null) == (given.Count == 0))
            {
                result.Error().WriteLine("error: give the IDs either as arguments or with --file, not both.");
                return ExitCodes.Usage;
            }

            if (path is not null)
            {
                given = [.. File.ReadLines(result.Context().FullPath(path)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
            }

            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            ErasureResult outcome = new ErasureService(data).Apply(new ErasureRequest(result.GetValue(client)!, type, given)
            {
                Undo = result.GetValue(undo),
                Actor = result.GetValue(user),
                Source = path is null ? null : Path.GetFileName(path),
            });
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), outcome, CliJsonContext.Default.ErasureResult);
                return ExitCodes.Success;
            }

            result.Out().WriteLine(outcome.Undo
                ? string.Create(CultureInfo.InvariantCulture, $"{outcome.Client}: {outcome.SuppressionChanged:N0} of {outcome.IdsGiven:N0} IDs allowed again; {outcome.SuppressedTotal:N0} stay forgotten")
                : string.Create(CultureInfo.InvariantCulture, $"{outcome.Client}: {outcome.SuppressionChanged:N0} of {outcome.IdsGiven:N0} IDs newly forgotten ({outcome.SuppressedTotal:N0} forgotten in all)"));
            TableWriter.Write(
                result.Out(),
                ["SEGMENT", "BEFORE", "REMOVED", "AFTER"],
                outcome.Segments.Select(s => (IReadOnlyList<string>)[s.Name, N(s.SizeBefore), N(s.Removed), N(s.SizeAfter)]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
