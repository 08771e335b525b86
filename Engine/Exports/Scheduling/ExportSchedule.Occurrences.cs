using System.Globalization;
using Cronos;
using Onboarding.Engine.Scheduling;

namespace Onboarding.Engine.Exports.Scheduling;

/// <summary>
/// The arithmetic of a schedule: which instants it names. Wall-clock readings become instants through
/// <see cref="WallClock"/> (a reading inside a spring-forward gap runs at the end of the gap; a reading that exists twice
/// runs once, the first time), and cron expressions through Cronos, which follows the same rule for daily expressions.
/// </summary>
public sealed partial record ExportSchedule
{
    // Cron expressions are computed up to 2499; the floor keeps zone arithmetic far from DateTime.MinValue.
    private const int MinYear = 1970;
    private const int MaxYear = 2400;

    /// <summary>Checks every field; throws an <see cref="ArgumentException"/> that names each problem found.</summary>
    public void Validate()
    {
        List<string> problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The export schedule is not valid: {string.Join("; ", problems)}.");
        }
    }

    /// <summary>The first scheduled instant strictly after <paramref name="after"/>, or none when the schedule has ended.</summary>
    /// <exception cref="ArgumentException">The schedule is not valid (see <see cref="Validate"/>).</exception>
    public DateTimeOffset? NextRun(DateTimeOffset after)
    {
        (TimeZoneInfo zone, CronExpression? cron) = Compile();
        return NextRun(zone, cron, after);
    }

    /// <summary>The last scheduled instant at or before <paramref name="atOrBefore"/>, or none when the schedule has not started.</summary>
    /// <remarks>The scheduler uses it to run only the latest of several missed occurrences.</remarks>
    /// <exception cref="ArgumentException">The schedule is not valid (see <see cref="Validate"/>).</exception>
    public DateTimeOffset? PreviousRun(DateTimeOffset atOrBefore)
    {
        (TimeZoneInfo zone, CronExpression? cron) = Compile();
        DateTimeOffset first = WallClock.ToInstant(zone, Start);
        if (atOrBefore < first)
        {
            return null;
        }

        if (Recurrence == ExportRecurrence.Once)
        {
            return first;
        }

        if (EndDate is { } end)
        {
            DateTimeOffset endsAt = WallClock.ToInstant(zone, end.AddDays(1).ToDateTime(TimeOnly.MinValue)).AddTicks(-1);
            atOrBefore = atOrBefore < endsAt ? atOrBefore : endsAt;
        }

        if (cron is not null)
        {
            return cron.GetPreviousOccurrence(atOrBefore, zone, inclusive: true) is { } previous && previous >= first ? previous : null;
        }

        DateOnly startDay = DateOnly.FromDateTime(Start);
        for (DateOnly day = DateOnly.FromDateTime(WallClock.ReadingAt(zone, atOrBefore)); day >= startDay; day = day.AddDays(-1))
        {
            if (RunsOn(day))
            {
                DateTimeOffset candidate = WallClock.ToInstant(zone, day.ToDateTime(TimeOfDay));
                if (candidate <= atOrBefore && candidate >= first)
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private DateTimeOffset? NextRun(TimeZoneInfo zone, CronExpression? cron, DateTimeOffset after)
    {
        DateTimeOffset first = WallClock.ToInstant(zone, Start);
        if (Recurrence == ExportRecurrence.Once)
        {
            return after < first ? first : null;
        }

        if (cron is not null)
        {
            DateTimeOffset? next = after < first ? cron.GetNextOccurrence(first, zone, inclusive: true) : cron.GetNextOccurrence(after, zone);
            return next is { } instant && !IsPastEnd(DateOnly.FromDateTime(WallClock.ReadingAt(zone, instant))) ? instant : null;
        }

        DateOnly startDay = DateOnly.FromDateTime(Start);
        DateOnly fromDay = DateOnly.FromDateTime(WallClock.ReadingAt(zone, after));
        for (DateOnly day = fromDay > startDay ? fromDay : startDay; !IsPastEnd(day); day = day.AddDays(1))
        {
            if (RunsOn(day))
            {
                DateTimeOffset candidate = WallClock.ToInstant(zone, day.ToDateTime(TimeOfDay));
                if (candidate > after && candidate >= first)
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private TimeOnly TimeOfDay => TimeOnly.FromDateTime(Start);

    private bool IsPastEnd(DateOnly day) => EndDate is { } end && day > end;

    private bool RunsOn(DateOnly day) => Recurrence switch
    {
        ExportRecurrence.Daily => true,
        ExportRecurrence.Weekly => Days.Contains(day.DayOfWeek),
        ExportRecurrence.Monthly => day.Day == Math.Min(DayOfMonth, DateTime.DaysInMonth(day.Year, day.Month)),
        _ => throw new InvalidOperationException($"{Recurrence} schedules are not computed day by day."),
    };

    private (TimeZoneInfo Zone, CronExpression? Cron) Compile()
    {
        Validate();
        return (FindZone(TimeZone)!, Recurrence == ExportRecurrence.Cron ? ParseCron(Cron!) : null);
    }

    private List<string> Problems()
    {
        var problems = new List<string>();
        TimeZoneInfo? zone = FindZone(TimeZone);
        CronExpression? cron = null;
        if (zone is null)
        {
            problems.Add($"unknown time zone \"{TimeZone}\" (use an IANA id such as Europe/Berlin or America/New_York)");
        }

        if (Start == default)
        {
            problems.Add("the delivery date and time (start) is not set");
        }
        else if (Start.Year is < MinYear or > MaxYear)
        {
            problems.Add($"the delivery date {Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} is not between the years {MinYear} and {MaxYear}");
        }

        switch (Recurrence)
        {
            case ExportRecurrence.Once or ExportRecurrence.Daily:
                break;
            case ExportRecurrence.Weekly when Days.Count == 0:
                problems.Add("a weekly schedule needs at least one day of the week");
                break;
            case ExportRecurrence.Weekly:
                problems.AddRange(Days.Where(d => !Enum.IsDefined(d)).Select(d => $"{(int)d} is not a day of the week"));
                break;
            case ExportRecurrence.Monthly when DayOfMonth is < 1 or > 31:
                problems.Add($"the day of the month {DayOfMonth} is not between 1 and 31");
                break;
            case ExportRecurrence.Monthly:
                break;
            case ExportRecurrence.Cron when string.IsNullOrWhiteSpace(Cron):
                problems.Add("a cron schedule needs an expression (five fields: minute hour day-of-month month day-of-week)");
                break;
            case ExportRecurrence.Cron:
                try
                {
                    cron = ParseCron(Cron);
                }
                catch (CronFormatException ex)
                {
                    problems.Add($"the cron expression \"{Cron}\" is not valid: {ex.Message.TrimEnd('.')}");
                }

                break;
            default:
                problems.Add($"{(int)Recurrence} is not a recurrence (use once, daily, weekly, monthly or cron)");
                break;
        }

        if (EndDate is { Year: > MaxYear } farEnd)
        {
            problems.Add($"the end date {farEnd:yyyy-MM-dd} is after the year {MaxYear} (leave it out for no end)");
        }

        if (CancelWindow < TimeSpan.Zero)
        {
            problems.Add($"the cancel window {CancelWindow} is negative");
        }

        if (Recurrence != ExportRecurrence.Once && EndDate is { } end && Start != default && end < DateOnly.FromDateTime(Start))
        {
            problems.Add($"the end date {end:yyyy-MM-dd} is before the first delivery on {Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }
        else if (problems.Count == 0 && Recurrence != ExportRecurrence.Once && NextRun(zone!, cron, WallClock.ToInstant(zone!, Start).AddTicks(-1)) is null)
        {
            string from = Start.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            problems.Add(EndDate is { } last ? $"no delivery falls between {from} and the end date {last:yyyy-MM-dd}" : $"no delivery ever falls after {from}");
        }

        return problems;
    }

    private static TimeZoneInfo? FindZone(string id)
    {
        try
        {
            return string.IsNullOrWhiteSpace(id) ? null : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    private static CronExpression ParseCron(string expression) => CronExpression.Parse(expression, CronFormat.Standard);
}
