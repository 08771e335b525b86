namespace Onboarding.Engine.Exports.Scheduling;

/// <summary>How often an export configuration delivers (SessionM's "Setup" step).</summary>
public enum ExportRecurrence
{
    /// <summary>Once, at <see cref="ExportSchedule.Start"/>.</summary>
    Once,

    /// <summary>Every day at the time of day of <see cref="ExportSchedule.Start"/>.</summary>
    Daily,

    /// <summary>On <see cref="ExportSchedule.Days"/> at the time of day of <see cref="ExportSchedule.Start"/>.</summary>
    Weekly,

    /// <summary>On <see cref="ExportSchedule.DayOfMonth"/> at the time of day of <see cref="ExportSchedule.Start"/>.</summary>
    Monthly,

    /// <summary>At the instants of the five-field <see cref="ExportSchedule.Cron"/> expression.</summary>
    Cron,
}

/// <summary>
/// When an export configuration runs: the first delivery date and time, the recurrence and its end date, all read on the
/// wall clock of <see cref="TimeZone"/>; and how long a failed run keeps retrying (<see cref="CancelWindow"/>).
/// </summary>
public sealed partial record ExportSchedule
{
    public ExportRecurrence Recurrence { get; init; } = ExportRecurrence.Once;

    /// <summary>First delivery, as a wall-clock date and time in <see cref="TimeZone"/> (no runs before it).</summary>
    public DateTime Start { get; init; }

    /// <summary>The week days of a <see cref="ExportRecurrence.Weekly"/> schedule.</summary>
    public IReadOnlyList<DayOfWeek> Days { get; init; } = [];

    /// <summary>The day of a <see cref="ExportRecurrence.Monthly"/> schedule (1–31; short months run on their last day).</summary>
    public int DayOfMonth { get; init; } = 1;

    /// <summary>The expression of a <see cref="ExportRecurrence.Cron"/> schedule (five fields, read in <see cref="TimeZone"/>).</summary>
    public string? Cron { get; init; }

    /// <summary>IANA time zone id of the wall clock (also used to render file name tokens); "UTC" by default.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Last day (inclusive, in <see cref="TimeZone"/>) on which a recurring schedule may run; none means no end.</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>How long after its scheduled time a failed run keeps retrying before it ends as failed.</summary>
    public TimeSpan CancelWindow { get; init; } = TimeSpan.FromHours(4);
}
