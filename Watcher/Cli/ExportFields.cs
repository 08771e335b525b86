using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;

namespace Onboarding.Watcher.Cli;

/// <summary>
/// The options of <c>onboard export create</c> and <c>update</c> (SessionM's Setup, Attributes and Notification
/// steps). <see cref="Apply"/> changes only what was given, so update is create's options made optional.
/// </summary>
internal sealed class ExportFields
{
    private static readonly string[] StartFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd"];

    public ExportFields(bool forCreate)
    {
        Audience = new("--audience") { Description = "The audience (or snapshot) to export.", Required = forCreate };
        Destination = new("--destination") { Description = "The destination (see onboard destination list).", Required = forCreate };
        Start = new("--start") { Description = "First delivery, wall-clock \"yyyy-MM-dd HH:mm\" in --time-zone.", Required = forCreate };
    }

    public Option<string?> Audience { get; }

    public Option<string?> Destination { get; }

    public Option<string?> Start { get; }

    public Option<string?> CreatedBy { get; } = DestinationCommands.CreatedBy();

    private Option<string?> FileName { get; } = new("--file-name") { Description = "File name template, e.g. \"{audience}_{yyyyMMdd_HHmm}.csv\" (tokens {audience}, {export}, {client} and date/time formats)." };

    private Option<string?> Encryption { get; } = new("--encryption") { Description = "Encrypt with this PGP encryption (\"none\" to stop encrypting)." };

    private Option<bool?> Active { get; } = new("--active") { Description = "Active at once (default: paused until activated)." };

    private Option<string?> Repeat { get; } = new("--repeat") { Description = "once, daily, weekly, monthly or cron." };

    private Option<string?> Days { get; } = new("--days") { Description = "Week days of a weekly export, e.g. mon,wed,fri." };

    private Option<int?> DayOfMonth { get; } = new("--day-of-month") { Description = "Day of a monthly export (1-31; short months use their last day)." };

    private Option<string?> Cron { get; } = new("--cron") { Description = "Five-field cron expression of a cron export, read in --time-zone." };

    private Option<string?> TimeZone { get; } = new("--time-zone") { Description = "IANA time zone of the schedule and of the file name tokens (default UTC)." };

    private Option<DateOnly?> EndDate { get; } = new("--end-date") { Description = "Last day a recurring export may run." };

    private Option<string?> CancelWindow { get; } = new("--cancel-window") { Description = "How long a failed run keeps retrying: 30m, 4h (default 4h)." };

    private Option<bool?> NoHeader { get; } = new("--no-header") { Description = "Leave out the header row." };

    private Option<string?> RecordDelimiter { get; } = new("--record-delimiter") { Description = "lf or crlf." };

    private Option<string?> Delimiter { get; } = new("--delimiter") { Description = "comma, tab, pipe or semicolon." };

    private Option<string?> Columns { get; } = new("--columns") { Description = "Comma-separated: id, id_type, audience, export_date, segments:<Group> (default id_type,id)." };

    private Option<string?> Content { get; } = new("--content") { Description = "full (every member) or delta (who entered and left since the last successful run)." };

    private Option<string?> Notify { get; } = new("--notify") { Description = "Comma-separated e-mail addresses told about each completed or failed run (\"none\" to clear)." };

    public void AddTo(Command command)
    {
        foreach (Option option in (Option[])[Audience, Destination, FileName, Encryption, Active, Start, Repeat, Days, DayOfMonth, Cron, TimeZone, EndDate, CancelWindow,
            NoHeader, RecordDelimiter, Delimiter, Columns, Content, Notify, CreatedBy])
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The export with the given options applied, or null with the usage problem.</summary>
    public ExportConfiguration? Apply(ParseResult result, ExportConfiguration export, out string? problem)
    {
        problem = null;
        ExportSchedule schedule = export.Schedule;
        ExportFormat format = export.Format;
        if (result.GetValue(TimeZone) is { } zone)
        {
            schedule = schedule with { TimeZone = zone };
        }

        if (result.GetValue(Start) is { } start)
        {
            if (!DateTime.TryParseExact(start, StartFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime wallClock))
            {
                problem = $"--start \"{start}\" is not a date and time like \"2026-03-02 06:00\".";
                return null;
            }

            schedule = schedule with { Start = wallClock };
        }

        if (result.GetValue(Repeat) is { } repeat)
        {
            if (!Enum.TryParse(repeat, ignoreCase: true, out ExportRecurrence recurrence) || int.TryParse(repeat, CultureInfo.InvariantCulture, out _))
            {
                problem = $"--repeat must be once, daily, weekly, monthly or cron, not \"{repeat}\".";
                return null;
            }

            schedule = schedule with { Recurrence = recurrence };
        }

        if (result.GetValue(Days) is { } days)
        {
            var parsed = new List<DayOfWeek>();
            foreach (string day in ExportCommands.SplitList(days))
            {
                DayOfWeek? match = day.Length >= 2
                    ? Enum.GetValues<DayOfWeek>().Cast<DayOfWeek?>().FirstOrDefault(d => d!.Value.ToString().StartsWith(day, StringComparison.OrdinalIgnoreCase))
                    : null;
                if (match is null)
                {
                    problem = $"--days: \"{day}\" is not a week day (mon, tue, wed, thu, fri, sat, sun).";
                    return null;
                }

                parsed.Add(match.Value);
            }

            schedule = schedule with { Days = [.. parsed.Distinct().Order()] };
        }

        if (result.GetValue(DayOfMonth) is { } dayOfMonth)
        {
            schedule = schedule with { DayOfMonth = dayOfMonth };
        }

        if (result.GetValue(Cron) is { } cron)
        {
            schedule = schedule with { Cron = cron, Recurrence = result.GetValue(Repeat) is null ? ExportRecurrence.Cron : schedule.Recurrence };
        }

        if (result.GetValue(EndDate) is { } endDate)
        {
            schedule = schedule with { EndDate = endDate };
        }

        if (result.GetValue(CancelWindow) is { } window)
        {
            if (!InboxCommands.TryParseInterval(window, out TimeSpan span))
            {
                problem = $"--cancel-window \"{window}\" is not a duration like 30m or 4h.";
                return null;
            }

            schedule = schedule with { CancelWindow = span };
        }

        if (result.GetValue(NoHeader) is { } noHeader)
        {
            format = format with { Header = !noHeader };
        }

        if (result.GetValue(RecordDelimiter) is { } record)
        {
            if (!ExportCommands.TryParse(record, out Engine.Exports.RecordDelimiter recordDelimiter))
            {
                problem = $"--record-delimiter must be lf or crlf, not \"{record}\".";
                return null;
            }

            format = format with { RecordDelimiter = recordDelimiter };
        }

        if (result.GetValue(Delimiter) is { } delimiter)
        {
            if (!ExportCommands.TryParse(delimiter, out FieldDelimiter field))
            {
                problem = $"--delimiter must be comma, tab, pipe or semicolon, not \"{delimiter}\".";
                return null;
            }

            format = format with { FieldDelimiter = field };
        }

        if (result.GetValue(Columns) is { } columns)
        {
            format = format with { Columns = ExportCommands.SplitList(columns) };
        }

        ContentMode content = export.Content;
        if (result.GetValue(Content) is { } contentText)
        {
            (bool ok, content) = contentText.Trim().ToLowerInvariant() switch
            {
                "full" => (true, ContentMode.Full),
                "delta" => (true, ContentMode.Delta),
                _ => (false, content),
            };
            if (!ok)
            {
                problem = $"--content must be full or delta, not \"{contentText}\".";
                return null;
            }
        }

        return export with
        {
            Audience = result.GetValue(Audience) ?? export.Audience,
            Destination = result.GetValue(Destination) ?? export.Destination,
            FileNameTemplate = result.GetValue(FileName) ?? export.FileNameTemplate,
            Encryption = result.GetValue(Encryption) is { } encryption ? (encryption == "none" ? null : encryption) : export.Encryption,
            State = result.GetValue(Active) == true ? ExportState.Active : export.State,
            NotifyEmails = result.GetValue(Notify) is { } notify ? (notify == "none" ? [] : ExportCommands.SplitList(notify)) : export.NotifyEmails,
            Schedule = schedule,
            Format = format,
            Content = content,
        };
    }
}
