using System.Globalization;

namespace Onboarding.Engine.Exports.Scheduling;

public sealed partial record ExportSchedule
{
    /// <summary>The schedule in words, for lists and the "Repeats" column: "weekly on Mon, Thu at 08:00 Europe/Berlin from 2026-11-25 until 2026-12-31".</summary>
    public string Describe()
    {
        string at = Start.ToString("HH:mm", CultureInfo.InvariantCulture);
        string from = Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string until = EndDate is { } end ? $" until {end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : string.Empty;
        return Recurrence switch
        {
            ExportRecurrence.Once => $"once on {from} at {at} {TimeZone}",
            ExportRecurrence.Daily => $"daily at {at} {TimeZone} from {from}{until}",
            ExportRecurrence.Weekly => $"weekly on {string.Join(", ", Days.Order().Select(d => d.ToString()[..3]))} at {at} {TimeZone} from {from}{until}",
            ExportRecurrence.Monthly => $"monthly on day {DayOfMonth}{(DayOfMonth > 28 ? " (or the month's last day)" : string.Empty)} at {at} {TimeZone} from {from}{until}",
            ExportRecurrence.Cron => $"cron \"{Cron}\" {TimeZone} from {from} {at}{until}",
            _ => Recurrence.ToString(),
        };
    }
}
