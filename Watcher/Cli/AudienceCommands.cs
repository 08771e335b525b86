using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard audience …</c>, <c>onboard overlap</c> and <c>onboard process</c>.</summary>
internal static class AudienceCommands
{
    private static readonly Option<string> ClientOption = CommonOptions.Client("The client that owns the audiences.");

    public static Command Audience() => new("audience", "Create, edit, activate and inspect audiences.")
    {
        Create(), Update(), Delete(), Activate(), Deactivate(), List(), Show(), Size(), Snapshot(), Diff(),
    };

    public static Command Overlap()
    {
        Argument<string[]> items = new("items") { Description = "2 to 10 audience or snapshot names, or expressions such as '\"Loyalty=Gold\"'.", Arity = new ArgumentArity(2, 10) };
        Command command = new("overlap", "Pairwise overlap of audiences or segments (counts and % of each row).\n\nExample: onboard overlap \"Gold buyers\" '\"Interest=Golf\"'") { items, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            OverlapMatrix matrix = service.Overlap([.. result.GetValue(items)!]);
            if (Json(result))
            {
                CliJson.Write(result.Out(), matrix, CliJsonContext.Default.OverlapMatrix);
                return ExitCodes.Success;
            }

            List<IReadOnlyList<string>> rows = [];
            for (int i = 0; i < matrix.Items.Count; i++)
            {
                rows.Add([matrix.Items[i], N(matrix.Sizes[i]), .. Enumerable.Range(0, matrix.Items.Count).Select(j => $"{N(matrix.Counts[i][j])} ({Percent(matrix.Share(i, j))})")]);
            }

            TableWriter.Write(result.Out(), ["ITEM", "SIZE", .. matrix.Items.Select((_, j) => $"#{j + 1}")], rows);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Process()
    {
        Option<DateOnly?> date = new("--date") { Description = "The processing date (default: today, local time)." };
        Command command = new("process", "Process every active audience: membership, size and % of base for the date.\n\nExample: onboard process --date 2026-11-23") { date, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            ProcessingReport report = service.Process(result.GetValue(date));
            if (Json(result))
            {
                CliJson.Write(result.Out(), report, CliJsonContext.Default.ProcessingReport);
                return ExitCodes.Success;
            }

            result.Out().WriteLine($"processed {report.Processed.Count} active audiences for {report.Date:yyyy-MM-dd} (base {N(report.BaseSize)}) in {report.Duration.TotalSeconds:N2} s");
            WriteAudiences(result.Out(), report.Processed);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Create()
    {
        Argument<string> name = NameArgument();
        Option<string> expr = ExpressionOption(required: true);
        Option<string?> user = new("--user") { Description = "Who creates it (default: the operating-system user)." };
        Command command = new("create", "Save a new draft audience.\n\nExample: onboard audience create \"Gold golfers\" --expr '\"Loyalty=Gold\" AND \"Interest=Golf\"'") { name, expr, user, ClientOption };
        command.SetAction(result => WithService(result, service =>
            Print(result, service.Create(result.GetValue(name)!, result.GetValue(expr)!, result.GetValue(user) ?? Environment.UserName))));
        return command;
    }

    private static Command Update()
    {
        Argument<string> name = NameArgument();
        Option<string?> expr = new("--expr") { Description = "The new definition." };
        Option<string?> newName = new("--name") { Description = "The new name." };
        Command command = new("update", "Change a draft's definition or name (active audiences are frozen).\n\nExample: onboard audience update \"Gold golfers\" --expr '\"Loyalty=Gold\"'") { name, expr, newName, ClientOption };
        command.SetAction(result =>
        {
            if (result.GetValue(expr) is null && result.GetValue(newName) is null)
            {
                result.Error().WriteLine("error: give --expr, --name or both.");
                return ExitCodes.Usage;
            }

            return WithService(result, service => Print(result, service.Update(result.GetValue(name)!, result.GetValue(expr), result.GetValue(newName))));
        });
        return command;
    }

    private static Command Delete() => Simple("delete", "Delete a draft or inactive audience.", (service, name, output) =>
    {
        service.Delete(name);
        output.WriteLine($"deleted audience \"{name}\"");
        return ExitCodes.Success;
    });

    private static Command Activate() => Simple("activate", "Activate an audience: its definition is frozen from then on, and it is processed.", null, (s, n) => s.Activate(n));

    private static Command Deactivate() => Simple("deactivate", "Stop processing an active audience (it stays read-only).", null, (s, n) => s.Deactivate(n));

    private static Command List()
    {
        Option<string?> search = new("--search") { Description = "Keyword matched against name and created by." };
        Option<string> sort = new("--sort") { Description = "name, -name, date (newest first) or -date (oldest first).", DefaultValueFactory = _ => "name" };
        sort.AcceptOnlyFromAmong("name", "-name", "date", "-date");
        Command command = new("list", "List audiences.\n\nExample: onboard audience list --search gold --sort date") { search, sort, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            AudienceSort order = result.GetValue(sort) switch
            {
                "-name" => AudienceSort.NameDescending,
                "date" => AudienceSort.Newest,
                "-date" => AudienceSort.Oldest,
                _ => AudienceSort.NameAscending,
            };
            IReadOnlyList<Audience> audiences = service.List(result.GetValue(search), order);
            if (Json(result))
            {
                CliJson.Write(result.Out(), audiences, CliJsonContext.Default.IReadOnlyListAudience);
            }
            else
            {
                WriteAudiences(result.Out(), audiences);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show()
    {
        Argument<string> name = NameArgument();
        Option<string?> group = new("--group") { Description = "The group for the composition (default: the one with the most segments)." };
        Command command = new("show", "Show an audience: definition, size history and composition.\n\nExample: onboard audience show \"Gold golfers\" --group Loyalty") { name, group, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            Audience audience = service.Get(result.GetValue(name)!);
            IReadOnlyList<AudienceSizePoint> history = service.History(audience.Name);
            AudienceComposition composition = service.Composition(audience.Name, result.GetValue(group));
            if (Json(result))
            {
                CliJson.Write(result.Out(), new AudienceDetailJson(audience, history, composition), CliJsonContext.Default.AudienceDetailJson);
                return ExitCodes.Success;
            }

            result.Out().WriteLine($"{audience.Name}  ({audience.Status.ToString().ToLowerInvariant()}, created by {audience.CreatedBy} on {Time(audience.CreatedOn)})");
            result.Out().WriteLine($"  {audience.Expression}");
            result.Out().WriteLine($"  size {(audience.Size is { } size ? N(size) : "not processed")}, {(audience.ShareOfBase is { } share ? Percent(share) : "-")} of base, last processed {(audience.LastProcessed is { } p ? Time(p) : "never")}");
            result.Out().WriteLine();
            TableWriter.Write(result.Out(), ["DATE", "SIZE", "% OF BASE"], history.Select(h => (IReadOnlyList<string>)[h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), N(h.Size), Percent(h.ShareOfBase)]));
            result.Out().WriteLine();
            result.Out().WriteLine($"composition by {composition.Group} ({N(composition.AudienceSize)} members)");
            TableWriter.Write(result.Out(), ["SEGMENT", "COUNT", "%"], composition.Rows.Select(r => (IReadOnlyList<string>)[r.Segment ?? "(none of them)", N(r.Count), Percent(r.ShareOfAudience)]));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Size()
    {
        Option<string> expr = ExpressionOption(required: true);
        Command command = new("size", "Preview the size of an expression without saving it.\n\nExample: onboard audience size --expr '\"Loyalty=*\" AND NOT \"Loyalty=Bronze\"' --json") { expr, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            (long size, long baseSize) = service.Preview(result.GetValue(expr)!);
            double share = baseSize == 0 ? 0 : (double)size / baseSize;
            if (Json(result))
            {
                CliJson.Write(result.Out(), new SizeJson(size, baseSize, share), CliJsonContext.Default.SizeJson);
            }
            else
            {
                result.Out().WriteLine($"{N(size)} members ({Percent(share)} of a base of {N(baseSize)})");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Snapshot()
    {
        Argument<string> name = NameArgument();
        Option<string?> snapshotName = new("--as") { Description = "The snapshot's name (default: the audience name and today's date)." };
        Option<string?> user = new("--user") { Description = "Who takes it (default: the operating-system user)." };
        Command command = new("snapshot", "Freeze an audience's current membership as a named snapshot.\n\nExample: onboard audience snapshot \"Gold golfers\" --as \"Gold golfers Q4\"") { name, snapshotName, user, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            AudienceSnapshot snapshot = service.Snapshot(result.GetValue(name)!, result.GetValue(snapshotName), result.GetValue(user) ?? Environment.UserName);
            if (Json(result))
            {
                CliJson.Write(result.Out(), snapshot, CliJsonContext.Default.AudienceSnapshot);
            }
            else
            {
                result.Out().WriteLine($"snapshot \"{snapshot.Name}\" of {snapshot.AudienceName}: {N(snapshot.Size)} members, taken {Time(snapshot.Created)}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Diff()
    {
        Argument<string> name = NameArgument();
        Option<DateOnly> from = new("--from") { Description = "The earlier processing date.", Required = true };
        Option<DateOnly> to = new("--to") { Description = "The later processing date.", Required = true };
        Option<string?> output = new("--out") { Description = "Write the IDs that entered and left to this CSV file." };
        Command command = new("diff", "Who entered and who left an audience between two processing dates.\n\nExample: onboard audience diff \"Gold golfers\" --from 2026-11-01 --to 2026-11-23 --out changes.csv") { name, from, to, output, ClientOption };
        command.SetAction(result => WithService(result, service =>
        {
            (AudienceDiff diff, RoaringBitmap entered, RoaringBitmap left) = service.Diff(result.GetValue(name)!, result.GetValue(from), result.GetValue(to));
            if (result.GetValue(output) is { } path)
            {
                using var writer = new StreamWriter(result.Context().FullPath(path));
                writer.WriteLine("change,id");
                foreach (uint member in entered)
                {
                    writer.WriteLine($"entered,{service.FormatMember(member)}");
                }

                foreach (uint member in left)
                {
                    writer.WriteLine($"left,{service.FormatMember(member)}");
                }
            }

            if (Json(result))
            {
                CliJson.Write(result.Out(), diff, CliJsonContext.Default.AudienceDiff);
            }
            else
            {
                result.Out().WriteLine($"{diff.Audience}: {N(diff.SizeFrom)} on {diff.From:yyyy-MM-dd} → {N(diff.SizeTo)} on {diff.To:yyyy-MM-dd}; {N(diff.Entered)} entered, {N(diff.Left)} left");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Simple(string verb, string description, Func<AudienceService, string, TextWriter, int>? action, Func<AudienceService, string, Audience>? change = null)
    {
        Argument<string> name = NameArgument();
        Command command = new(verb, $"{description}\n\nExample: onboard audience {verb} \"Gold golfers\"") { name, ClientOption };
        command.SetAction(result => WithService(result, service =>
            action is not null ? action(service, result.GetValue(name)!, result.Out()) : Print(result, change!(service, result.GetValue(name)!))));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The audience's name." };

    private static Option<string> ExpressionOption(bool required) => new("--expr")
    {
        Description = "The definition, e.g. '\"Loyalty=Gold\" AND NOT \"Interest=*\"' (see docs/audiences.md).",
        Required = required,
    };

    private static int WithService(ParseResult result, Func<AudienceService, int> action)
    {
        using DataFolderLease lease = result.OpenDataFolder();
        DataFolder data = lease.Folder;
        return action(new AudienceService(data, result.GetValue(ClientOption)!, result.Configuration().Audiences()));
    }

    private static int Print(ParseResult result, Audience audience)
    {
        if (Json(result))
        {
            CliJson.Write(result.Out(), audience, CliJsonContext.Default.Audience);
        }
        else
        {
            WriteAudiences(result.Out(), [audience]);
        }

        return ExitCodes.Success;
    }

    private static void WriteAudiences(TextWriter output, IReadOnlyList<Audience> audiences) =>
        TableWriter.Write(
            output,
            ["STATUS", "NAME", "CREATED BY", "CREATED ON", "LAST PROCESSED", "SIZE", "% OF BASE", "EXPRESSION"],
            audiences.Select(a => (IReadOnlyList<string>)[
                a.Status.ToString().ToLowerInvariant(), a.Name, a.CreatedBy, Time(a.CreatedOn),
                a.LastProcessed is { } p ? Time(p) : "-", a.Size is { } s ? N(s) : "-", a.ShareOfBase is { } share ? Percent(share) : "-", a.Expression]));

    private static bool Json(ParseResult result) => result.GetValue(CommonOptions.Json);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Time(DateTimeOffset time) => SegmentCommands.Time(time);
}
