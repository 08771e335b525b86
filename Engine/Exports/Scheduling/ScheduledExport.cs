namespace Onboarding.Engine.Exports.Scheduling;

/// <summary>One export configuration as the scheduler sees it.</summary>
/// <param name="Active">False when the configuration is paused or canceled: the scheduler never runs it.</param>
/// <param name="Latest">The latest run of this export as the history tells it; none when it never ran.</param>
public sealed record ScheduledExport(string Client, string ExportName, ExportSchedule Schedule, bool Active, ExportOccurrence? Latest = null);

/// <summary>Where a run of an export stands.</summary>
public enum ExportOccurrenceStatus
{
    /// <summary>An attempt succeeded.</summary>
    Complete,

    /// <summary>The attempts so far failed and the cancel window is still open: another attempt follows.</summary>
    Retrying,

    /// <summary>The cancel window closed after failed attempts, or a newer run superseded this one.</summary>
    Failed,

    /// <summary>The configuration was paused or canceled while this run was waiting to retry.</summary>
    Canceled,
}

/// <summary>
/// One run of an export: the scheduled instant it delivers for and its attempts so far. The scheduler hands the caller a
/// new value after every attempt and decision (<see cref="IExportScheduleStore.RecordAsync"/>); the caller gives the
/// latest one back in <see cref="ScheduledExport.Latest"/>, which is how retries and skipped occurrences survive a restart.
/// </summary>
/// <param name="ScheduledFor">The occurrence of the schedule this run delivers.</param>
/// <param name="Attempts">Attempts started so far (1 after the first).</param>
/// <param name="FirstAttemptStarted">When the first attempt started: the cancel window is counted from here.</param>
/// <param name="LastAttemptEnded">When the latest attempt ended.</param>
/// <param name="Error">Why the latest attempt failed, or why the run ended without one.</param>
/// <param name="NextAttempt">When a <see cref="ExportOccurrenceStatus.Retrying"/> run tries again.</param>
public sealed record ExportOccurrence(
    DateTimeOffset ScheduledFor,
    ExportOccurrenceStatus Status,
    int Attempts,
    DateTimeOffset FirstAttemptStarted,
    DateTimeOffset LastAttemptEnded,
    string? Error = null,
    DateTimeOffset? NextAttempt = null);

/// <summary>One attempt the scheduler asks the caller to make: deliver <paramref name="ExportName"/> for <paramref name="ScheduledFor"/>.</summary>
/// <param name="Attempt">1 for the first attempt of this run, then 2, 3... for retries.</param>
public sealed record ExportDue(string Client, string ExportName, DateTimeOffset ScheduledFor, int Attempt);

/// <summary>How one attempt ended.</summary>
public sealed record ExportAttemptOutcome(bool Succeeded, string? Error = null)
{
    public static ExportAttemptOutcome Success { get; } = new(true);

    public static ExportAttemptOutcome Failure(string error) => new(false, error);
}

/// <summary>What the scheduler reads and where it reports; the caller owns the persistence.</summary>
public interface IExportScheduleStore
{
    /// <summary>Every export configuration of every client, with its latest run; read on every pass, so edits take effect.</summary>
    Task<IReadOnlyList<ScheduledExport>> ListAsync(CancellationToken cancellation);

    /// <summary>
    /// Keeps what happened to a run (history, and a notification once its status is final: complete, failed or canceled).
    /// Called after every attempt and decision, in order for one export.
    /// </summary>
    Task RecordAsync(string client, string exportName, ExportOccurrence occurrence, CancellationToken cancellation);
}
