using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Configuration;

namespace Onboarding.Watcher.Cli;

internal sealed record ExportDetailJson(ExportConfiguration Export, IReadOnlyList<ExportRun> History);

/// <summary>The minimum export size in force, where it comes from (<c>client</c> or <c>configuration</c>), and the configured one.</summary>
internal sealed record ExportSettingsJson(long MinimumAudienceSize, string Source, DateTimeOffset? SetOn, string? SetBy, long ConfiguredMinimumAudienceSize, string ConfiguredBy);

/// <summary><c>onboard export create|list|show|update|activate|pause|cancel|run|history|now|settings</c>.</summary>
internal static class ExportCommands
{
    private static readonly Option<string> ClientOption = CommonOptions.Client("The client that owns the exports.");

    public static Command Export() => new("export", "Configure, run and inspect audience exports (CSV, optionally PGP-encrypted, to a destination).")
    {
        Create(), Update(), List(), Show(), State("activate", "Activate an export: the scheduler runs it from now on.", (s, n) => s.Activate(n)),
        State("pause", "Pause an export: no runs until it is activated again.", (s, n) => s.Pause(n)),
        State("cancel", "Cancel an export for good (its history stays).", (s, n) => s.Cancel(n)),
        Run(), History(), Now(), Settings(),
    };

    private static Command Create()
    {
        Argument<string> name = NameArgument();
        var fields = new ExportFields(forCreate: true);
        Command command = new("create", "Create an export (paused unless --active).\n\nExample: onboard export create gold-daily --audience \"Gold\" --destination partner --file-name \"{audience}_{yyyyMMdd_HHmm}.csv\" --start \"2026-03-02 06:00\" --repeat daily --time-zone Europe/Paris --active")
        {
            name, ClientOption,
        };
        fields.AddTo(command);
        command.SetAction(result =>
        {
            var draft = new ExportConfiguration
            {
                Name = result.GetValue(name)!,
                Audience = result.GetValue(fields.Audience)!,
                FileNameTemplate = "{audience}_{yyyyMMdd_HHmm}.csv",
                Destination = result.GetValue(fields.Destination)!,
                CreatedBy = result.GetValue(fields.CreatedBy) ?? Environment.UserName,
            };
            if (fields.Apply(result, draft, out string? problem) is not { } export)
            {
                return Usage(result, problem!);
            }

            return PrintExports(result, [Service(result).Create(export)]);
        });
        return command;
    }

    private static Command Update()
    {
        Argument<string> name = NameArgument();
        var fields = new ExportFields(forCreate: false);
        Command command = new("update", "Change an export's settings; only the options given change.\n\nExample: onboard export update gold-daily --delimiter tab --columns id_type,id,segments:Loyalty") { name, ClientOption };
        fields.AddTo(command);
        command.SetAction(result =>
        {
            ExportService service = Service(result);
            if (fields.Apply(result, service.Get(result.GetValue(name)!), out string? problem) is null)
            {
                return Usage(result, problem!);
            }

            // Applied again inside the store's lock, to the configuration as it is then.
            return PrintExports(result, [service.Update(result.GetValue(name)!, current => fields.Apply(result, current, out _)!)]);
        });
        return command;
    }

    private static Command List()
    {
        Command command = new("list", "List exports.\n\nExample: onboard export list --json") { ClientOption };
        command.SetAction(result => PrintExports(result, Service(result).List()));
        return command;
    }

    private static Command Show()
    {
        Argument<string> name = NameArgument();
        Command command = new("show", "Show an export's settings and its last runs.\n\nExample: onboard export show gold-daily") { name, ClientOption };
        command.SetAction(result =>
        {
            ExportService service = Service(result);
            ExportConfiguration export = service.Get(result.GetValue(name)!);
            IReadOnlyList<ExportRun> history = service.Store.ListRuns(export.Name);
            if (Json(result))
            {
                CliJson.Write(result.Out(), new ExportDetailJson(export, history), ExportCliJsonContext.Default.ExportDetailJson);
                return ExitCodes.Success;
            }

            ExportSchedule s = export.Schedule;
            result.Out().WriteLine($"{export.Name} ({export.State.ToString().ToLowerInvariant()}): audience \"{export.Audience}\", created by {export.CreatedBy} on {SegmentCommands.Time(export.CreatedOn.ToLocalTime())}");
            result.Out().WriteLine($"  file name    {export.FileNameTemplate}");
            result.Out().WriteLine($"  schedule     {Repeats(s)} from {s.Start:yyyy-MM-dd HH:mm} {s.TimeZone}{(s.EndDate is { } end ? $" until {end:yyyy-MM-dd}" : string.Empty)}; retried for {s.CancelWindow} after a failure");
            result.Out().WriteLine($"  format       CSV, {(export.Format.Header ? "header" : "no header")}, {Name(export.Format.RecordDelimiter)}, {Name(export.Format.FieldDelimiter)}; columns {string.Join(",", export.Format.Columns)}; content {Name(export.Content)}");
            result.Out().WriteLine($"  destination  {export.Destination}{(export.Encryption is { } e ? $", encrypted with {e}" : ", not encrypted")}");
            result.Out().WriteLine($"  notify       {(export.NotifyEmails.Count > 0 ? string.Join(", ", export.NotifyEmails) : "nobody")}");
            WriteRuns(result, [.. history.Take(10)]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command State(string verb, string description, Func<ExportService, string, ExportConfiguration> change)
    {
        Argument<string> name = NameArgument();
        Command command = new(verb, $"{description}\n\nExample: onboard export {verb} gold-daily") { name, ClientOption };
        command.SetAction(result => PrintExports(result, [change(Service(result), result.GetValue(name)!)]));
        return command;
    }

    private static Command Run()
    {
        Argument<string> name = NameArgument();
        Option<DateTimeOffset?> at = new("--at") { Description = "The scheduled instant the run is for (default: now); the file name's date tokens use it." };
        Command command = new("run", "Run an export now and wait for it; exit 0 when delivered, 1 when it failed.\n\nExample: onboard export run gold-daily") { name, at, ClientOption };
        command.SetAction(async (result, cancellation) =>
        {
            string path = CommonOptions.DataFolderPath(result);
            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            var runner = Runner(result, data, path);
            runner.RecoverInterrupted();
            ExportRun run = await runner.RunAsync(result.GetValue(name)!, result.GetValue(at) ?? DateTimeOffset.UtcNow, cancellation);
            if (Json(result))
            {
                CliJson.Write(result.Out(), run, ExportCliJsonContext.Default.ExportRun);
            }
            else
            {
                WriteRuns(result, [run]);
                if (run.Error is not null)
                {
                    result.Error().WriteLine($"error: {run.Error}");
                }
            }

            return run.State == ExportRunState.Complete ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command History()
    {
        Argument<string?> name = new("name") { Description = "Only this export's runs.", Arity = ArgumentArity.ZeroOrOne };
        Option<int> limit = new("--limit") { Description = "How many runs to show, newest first.", DefaultValueFactory = _ => 50 };
        Command command = new("history", "The runs of every export (or of one), newest first: state, times, rows, bytes, file, destination, error.\n\nExample: onboard export history gold-daily") { name, limit, ClientOption };
        command.SetAction(result =>
        {
            List<ExportRun> runs = [.. Service(result).Store.ListRuns(result.GetValue(name)).Take(result.GetValue(limit))];
            if (Json(result))
            {
                CliJson.Write<IReadOnlyList<ExportRun>>(result.Out(), runs, ExportCliJsonContext.Default.IReadOnlyListExportRun);
                return ExitCodes.Success;
            }

            WriteRuns(result, runs);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Now()
    {
        Option<string> audience = new("--audience") { Description = "The audience (or snapshot) to export.", Required = true };
        Option<string> output = new("--out") { Description = "The file to write (replaced whole: written to a temporary name, then renamed).", Required = true };
        Option<string> columns = new("--columns") { Description = "Comma-separated columns: id, id_type, audience, export_date, segments:<Group>.", DefaultValueFactory = _ => "id_type,id" };
        Option<string> delimiter = new("--delimiter") { Description = "comma, tab, pipe or semicolon.", DefaultValueFactory = _ => "comma" };
        Option<string> recordDelimiter = new("--record-delimiter") { Description = "lf or crlf.", DefaultValueFactory = _ => "lf" };
        Option<bool> noHeader = new("--no-header") { Description = "Leave out the header row." };
        Command command = new("now", "Write an audience to a local CSV file now (for scripts; no history row).\n\nExample: onboard export now --audience \"Gold\" --out gold.csv --columns id_type,id,segments:Loyalty")
        {
            audience, output, columns, delimiter, recordDelimiter, noHeader, ClientOption,
        };
        command.SetAction(async (result, cancellation) =>
        {
            if (!TryParse(result.GetValue(delimiter)!, out FieldDelimiter field) || !TryParse(result.GetValue(recordDelimiter)!, out RecordDelimiter record))
            {
                return Usage(result, $"--delimiter must be comma, tab, pipe or semicolon and --record-delimiter lf or crlf.");
            }

            var format = new ExportFormat { Header = !result.GetValue(noHeader), FieldDelimiter = field, RecordDelimiter = record, Columns = SplitList(result.GetValue(columns)!) };
            string path = CommonOptions.DataFolderPath(result);
            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            var runner = Runner(result, data, path);
            LocalExport written = await runner.ExportToFileAsync(result.GetValue(audience)!, result.Context().FullPath(result.GetValue(output)!), format, cancellation);
            if (Json(result))
            {
                CliJson.Write(result.Out(), written, ExportCliJsonContext.Default.LocalExport);
            }
            else
            {
                result.Out().WriteLine($"wrote {written.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows ({written.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes) to {written.Path}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Settings()
    {
        const string Key = "MinimumExportAudienceSize";
        Option<long?> minimum = new("--min-audience-size")
        {
            Description = $"Set this client's own minimum export size (audiences smaller than this are never exported); it wins over the configured one, Onboard:Clients:<client>:{Key} else Onboard:Thresholds:{Key} (default {ExportPolicy.DefaultMinimumAudienceSize}).",
        };
        Option<bool> useConfigured = new("--use-configured") { Description = "Forget this client's own minimum export size: the configured one applies again." };
        Command command = new("settings", "Show or change the client's export settings, and where each comes from (set for this client, or configuration).\n\nExample: onboard export settings --client acme --min-audience-size 500") { minimum, useConfigured, ClientOption };
        command.SetAction(result =>
        {
            if (result.GetValue(minimum) is not null && result.GetValue(useConfigured))
            {
                return Usage(result, "--min-audience-size and --use-configured cannot be given together.");
            }

            string client = result.GetValue(ClientOption)!;
            OnboardConfiguration configuration = result.Configuration();
            ExportPolicy configured = configuration.Clients().For(client).Exports;
            var service = new ExportService(CommonOptions.DataFolderPath(result), client, policy: configured);
            EffectiveMinimumAudienceSize effective = result.GetValue(minimum) is { } size ? service.SetMinimumAudienceSize(size)
                : result.GetValue(useConfigured) ? service.ClearMinimumAudienceSize()
                : service.MinimumAudienceSize();
            (string setting, string source) = configuration.ClientSource(client, Key);
            string configuredBy = $"{setting} ({source})";
            if (Json(result))
            {
                var json = new ExportSettingsJson(effective.Value, Name(effective.Source), effective.SetOn, effective.SetBy, configured.MinimumAudienceSize, configuredBy);
                CliJson.Write(result.Out(), json, ExportCliJsonContext.Default.ExportSettingsJson);
            }
            else
            {
                string value = effective.Value.ToString("N0", CultureInfo.InvariantCulture);
                result.Out().WriteLine(effective.Source == SettingSource.Client
                    ? $"minimum audience size: {value}, set for this client{(effective.SetOn is { } on ? $" on {Time(on)} by {effective.SetBy}" : string.Empty)} (configuration says {configured.MinimumAudienceSize.ToString("N0", CultureInfo.InvariantCulture)}: {configuredBy}; --use-configured returns to it)"
                    : $"minimum audience size: {value}, from configuration: {configuredBy}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A runner held to the client's configured minimum export size (unless the client has its own).</summary>
    private static ExportRunner Runner(ParseResult result, DataFolder data, string path)
    {
        string client = result.GetValue(ClientOption)!;
        return new ExportRunner(data, client, SecretProtector.Open(path), policy: result.ClientPolicies().For(client).Exports);
    }

    private static ExportService Service(ParseResult result) => new(CommonOptions.DataFolderPath(result), result.GetValue(ClientOption)!);

    private static Argument<string> NameArgument() => new("name") { Description = "The export's name." };

    private static int PrintExports(ParseResult result, IReadOnlyList<ExportConfiguration> exports)
    {
        if (Json(result))
        {
            CliJson.Write(result.Out(), exports, ExportCliJsonContext.Default.IReadOnlyListExportConfiguration);
            return ExitCodes.Success;
        }

        TableWriter.Write(
            result.Out(),
            ["AUDIENCE", "NAME", "TYPE", "REPEATS", "ENDS", "FORMAT", "DESTINATION", "ENCRYPTION", "STATE", "CREATED BY"],
            exports.Select(e => (IReadOnlyList<string>)[
                e.Audience, e.Name, e.Schedule.Recurrence == ExportRecurrence.Once ? "one-time" : "recurring", Repeats(e.Schedule),
                e.Schedule.EndDate is { } end ? $"{end:yyyy-MM-dd}" : "-", e.Content == ContentMode.Delta ? "CSV (delta)" : "CSV", e.Destination,
                e.Encryption ?? "-", Name(e.State), e.CreatedBy]));
        return ExitCodes.Success;
    }

    private static void WriteRuns(ParseResult result, IReadOnlyList<ExportRun> runs) =>
        TableWriter.Write(
            result.Out(),
            ["#", "STATE", "EXPORT", "AUDIENCE", "SCHEDULED FOR", "TRY", "STARTED", "ENDED", "ROWS", "BYTES", "FILE", "DESTINATION", "ERROR"],
            runs.Select(r => (IReadOnlyList<string>)[
                r.Id.ToString(CultureInfo.InvariantCulture), Name(r.State), r.Export, r.Audience, Time(r.ScheduledFor), r.Attempt.ToString(CultureInfo.InvariantCulture),
                Time(r.Started), Time(r.Ended), r.Rows.ToString("N0", CultureInfo.InvariantCulture), r.Bytes.ToString("N0", CultureInfo.InvariantCulture),
                r.FileName ?? "-", r.Destination ?? "-", r.Error is { } error ? error.ReplaceLineEndings(" ") : "-"]));

    private static string Repeats(ExportSchedule s) => s.Recurrence switch
    {
        ExportRecurrence.Once => "once",
        ExportRecurrence.Daily => $"daily at {s.Start:HH:mm}",
        ExportRecurrence.Weekly => $"weekly on {string.Join(",", s.Days.Select(d => d.ToString()[..3].ToLowerInvariant()))} at {s.Start:HH:mm}",
        ExportRecurrence.Monthly => $"monthly on day {s.DayOfMonth} at {s.Start:HH:mm}",
        _ => $"cron {s.Cron}",
    };

    private static string Time(DateTimeOffset? time) => time is { } t ? SegmentCommands.Time(t.ToLocalTime()) : "-";

    /// <summary>The word the files and JSON use for a state or option.</summary>
    private static string Name(Enum value) => value switch
    {
        ExportRunState.InProgress => "in-progress",
        _ => value.ToString().ToLowerInvariant(),
    };

    internal static bool TryParse(string text, out FieldDelimiter delimiter)
    {
        (bool ok, delimiter) = text.Trim().ToLowerInvariant() switch
        {
            "comma" or "," => (true, FieldDelimiter.Comma),
            "tab" or "\\t" or "\t" => (true, FieldDelimiter.Tab),
            "pipe" or "|" => (true, FieldDelimiter.Pipe),
            "semicolon" or ";" => (true, FieldDelimiter.Semicolon),
            _ => (false, FieldDelimiter.Comma),
        };
        return ok;
    }

    internal static bool TryParse(string text, out RecordDelimiter delimiter)
    {
        (bool ok, delimiter) = text.Trim().ToLowerInvariant() switch
        {
            "lf" => (true, RecordDelimiter.Lf),
            "crlf" => (true, RecordDelimiter.CrLf),
            _ => (false, RecordDelimiter.Lf),
        };
        return ok;
    }

    internal static List<string> SplitList(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static bool Json(ParseResult result) => result.GetValue(CommonOptions.Json);

    private static int Usage(ParseResult result, string message)
    {
        result.Error().WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}
