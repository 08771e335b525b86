using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Onboarding.Engine.Exports.Scheduling;

/// <summary>
/// Runs export configurations when their schedule says, and retries failed runs until their cancel window closes.
/// It knows nothing of how an export is made: <c>runAttempt</c> makes one attempt, <see cref="IExportScheduleStore"/>
/// lists the configurations and keeps what happened. It persists nothing itself.
/// </summary>
/// <remarks>
/// The rules, checked on every pass:
/// <list type="bullet">
/// <item>An inactive (paused or canceled) configuration never runs; a run of it that was waiting to retry ends
/// <see cref="ExportOccurrenceStatus.Canceled"/>, and occurrences that fall while it is seen inactive are never made up
/// (except a one-time export that never ran: it runs once activated).</item>
/// <item>Missed occurrences (the scheduler was stopped, or a run took longer than the period) are not made up one by
/// one: only the latest occurrence at or before now runs, once, late. An export that never ran and whose start has
/// passed therefore runs its latest occurrence at once (a one-time export: its only one).</item>
/// <item>A failed attempt is retried per <see cref="ExportRetryPolicy"/>, counting the cancel window from the first
/// attempt; when it closes the run ends <see cref="ExportOccurrenceStatus.Failed"/>. A run still retrying when a newer
/// occurrence falls due ends failed too: the newer run delivers fresher data.</item>
/// <item>One export never runs twice at once; different exports run in parallel.</item>
/// </list>
/// </remarks>
public sealed class ExportScheduler(
    IExportScheduleStore store,
    Func<ExportDue, CancellationToken, Task<ExportAttemptOutcome>> runAttempt,
    TimeProvider? time = null,
    ExportRetryPolicy? retry = null,
    ILogger? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ExportRetryPolicy _retry = retry ?? ExportRetryPolicy.Default;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Client, string Export), ExportOccurrence> _latest = [];
    private readonly Dictionary<(string Client, string Export), DateTimeOffset> _seenInactive = [];
    private readonly Dictionary<(string Client, string Export), Task> _running = [];
    private readonly HashSet<(string Client, string Export)> _invalid = [];
    private readonly SemaphoreSlim _attemptEnded = new(0);

    /// <summary>The longest the loop sleeps before reading the configurations again (new and edited ones are seen by then).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs until cancelled; waits for attempts in flight before returning.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                DateTimeOffset wake = await StartDueAsync(cancellation).ConfigureAwait(false);
                TimeSpan wait = wake - _time.GetUtcNow();
                wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait < PollInterval ? wait : PollInterval;
                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                Task woken = await Task.WhenAny(Task.Delay(wait, _time, sleep.Token), _attemptEnded.WaitAsync(sleep.Token)).ConfigureAwait(false);
                await sleep.CancelAsync().ConfigureAwait(false);
                await woken.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            await WhenIdleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One pass that waits for the attempts it started: what a test or a "run due exports now" command calls (not while <see cref="RunAsync"/> runs).</summary>
    public async Task<IReadOnlyList<ExportDue>> RunDueAsync(CancellationToken cancellation)
    {
        var started = new List<ExportDue>();
        await StartDueAsync(cancellation, started).ConfigureAwait(false);
        await WhenIdleAsync().ConfigureAwait(false);
        return started;
    }

    /// <summary>Waits for every attempt in flight.</summary>
    public async Task WhenIdleAsync()
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running.Values];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Starts every attempt that is due; returns when the next one may be due.</summary>
    private async Task<DateTimeOffset> StartDueAsync(CancellationToken cancellation, List<ExportDue>? started = null)
    {
        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset wake = now + PollInterval;
        IReadOnlyList<ScheduledExport> exports;
        try
        {
            exports = await store.ListAsync(cancellation).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the store is the caller's: whatever it throws is logged and the next pass tries again
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Cannot read the export configurations; trying again in {Interval}", PollInterval);
            return wake;
        }

        foreach (ScheduledExport export in exports)
        {
            (string, string) key = (export.Client, export.ExportName);
            ExportOccurrence? latest;
            lock (_gate)
            {
                if (_running.ContainsKey(key))
                {
                    continue;
                }

                latest = Newer(export.Latest, _latest.GetValueOrDefault(key));
            }

            if (!export.Active)
            {
                _seenInactive[key] = now;
                if (latest is { Status: ExportOccurrenceStatus.Retrying })
                {
                    await RecordAsync(export, latest with { Status = ExportOccurrenceStatus.Canceled, Error = "the export was paused or canceled before its next retry", NextAttempt = null }, cancellation).ConfigureAwait(false);
                }

                continue;
            }

            if (latest is { Status: ExportOccurrenceStatus.Retrying } open
                && (RetryAt(export, open) is null || now - (open.FirstAttemptStarted + export.Schedule.CancelWindow) > PollInterval))
            {
                // The window closed while this process was not running: the run ends without another attempt. (A pass
                // is never more than PollInterval late while it runs, so the retry due when the window closes still starts.)
                latest = open with { Status = ExportOccurrenceStatus.Failed, Error = $"the cancel window closed ({open.Error})", NextAttempt = null };
                await RecordAsync(export, latest, cancellation).ConfigureAwait(false);
            }

            if (Decide(export, latest, now) is not (ExportDue due, DateTimeOffset firstStarted))
            {
                if (NextWake(export, latest, now) is { } next && next < wake)
                {
                    wake = next;
                }

                continue;
            }

            if (latest is { Status: ExportOccurrenceStatus.Retrying } superseded && superseded.ScheduledFor != due.ScheduledFor)
            {
                await RecordAsync(export, superseded with { Status = ExportOccurrenceStatus.Failed, Error = $"superseded by the run scheduled for {due.ScheduledFor:u} ({superseded.Error})", NextAttempt = null }, cancellation).ConfigureAwait(false);
            }

            started?.Add(due);
            lock (_gate)
            {
                _running[key] = Task.Run(() => AttemptAsync(export, due, firstStarted, cancellation), CancellationToken.None);
            }
        }

        return wake;
    }

    /// <summary>What to run now for an active export, if anything, and when its cancel window opened.</summary>
    private (ExportDue Due, DateTimeOffset FirstStarted)? Decide(ScheduledExport export, ExportOccurrence? latest, DateTimeOffset now)
    {
        (string, string) key = (export.Client, export.ExportName);
        DateTimeOffset? occurrence;
        try
        {
            occurrence = export.Schedule.PreviousRun(now);
            _invalid.Remove(key);
        }
        catch (ArgumentException ex)
        {
            if (_invalid.Add(key))
            {
                _logger.LogError("Export {Export} ({Client}) is not scheduled: {Error}", export.ExportName, export.Client, ex.Message);
            }

            return null;
        }

        // A one-time export that never ran still runs once activated, even if its time passed while it was paused.
        bool skipWhilePaused = !(export.Schedule.Recurrence == ExportRecurrence.Once && latest is null);
        DateTimeOffset? handledUpTo = Later(latest?.ScheduledFor, skipWhilePaused && _seenInactive.TryGetValue(key, out DateTimeOffset inactive) ? inactive : null);
        if (occurrence is { } scheduled && (handledUpTo is null || scheduled > handledUpTo))
        {
            if (handledUpTo is { } since && export.Schedule.NextRun(since) is { } missed && missed < scheduled)
            {
                _logger.LogWarning(
                    "Export {Export} ({Client}): occurrences from {Missed:u} were missed; only the latest, {Scheduled:u}, runs",
                    export.ExportName, export.Client, missed, scheduled);
            }

            return (new ExportDue(export.Client, export.ExportName, scheduled, 1), now);
        }

        if (latest is { Status: ExportOccurrenceStatus.Retrying } retrying
            && RetryAt(export, retrying) is { } retryAt && retryAt <= now)
        {
            return (new ExportDue(export.Client, export.ExportName, retrying.ScheduledFor, retrying.Attempts + 1), retrying.FirstAttemptStarted);
        }

        return null;
    }

    private DateTimeOffset? NextWake(ScheduledExport export, ExportOccurrence? latest, DateTimeOffset now)
    {
        DateTimeOffset? retryAt = latest is { Status: ExportOccurrenceStatus.Retrying } retrying ? RetryAt(export, retrying) : null;
        DateTimeOffset? next = _invalid.Contains((export.Client, export.ExportName)) ? null : export.Schedule.NextRun(now);
        return retryAt is null ? next : next is null ? retryAt : retryAt < next ? retryAt : next;
    }

    private DateTimeOffset? RetryAt(ScheduledExport export, ExportOccurrence retrying) =>
        _retry.NextAttempt(retrying.FirstAttemptStarted, export.Schedule.CancelWindow, retrying.Attempts, retrying.LastAttemptEnded);

    private async Task AttemptAsync(ScheduledExport export, ExportDue due, DateTimeOffset firstStarted, CancellationToken cancellation)
    {
        try
        {
            ExportOccurrence occurrence = await AttemptOnceAsync(export, due, firstStarted, cancellation).ConfigureAwait(false);
            await RecordAsync(export, occurrence, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Shutting down: the attempt was interrupted, and the history says so when the runner recovers.
        }
        finally
        {
            lock (_gate)
            {
                _running.Remove((export.Client, export.ExportName));
            }

            _attemptEnded.Release();
        }
    }

    private async Task<ExportOccurrence> AttemptOnceAsync(ScheduledExport export, ExportDue due, DateTimeOffset firstStarted, CancellationToken cancellation)
    {
        _logger.LogInformation(
            "Export {Export} ({Client}): attempt {Attempt} of the run scheduled for {Scheduled:u}",
            due.ExportName, due.Client, due.Attempt, due.ScheduledFor);
        ExportAttemptOutcome outcome;
        try
        {
            outcome = await runAttempt(due, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // whatever breaks one attempt is that attempt's failure: it is recorded and retried
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Export {Export} ({Client}): attempt {Attempt} threw", due.ExportName, due.Client, due.Attempt);
            outcome = ExportAttemptOutcome.Failure(ex.Message);
        }

        DateTimeOffset ended = _time.GetUtcNow();
        if (outcome.Succeeded)
        {
            return new ExportOccurrence(due.ScheduledFor, ExportOccurrenceStatus.Complete, due.Attempt, firstStarted, ended);
        }

        string error = string.IsNullOrWhiteSpace(outcome.Error) ? "the attempt failed without saying why" : outcome.Error;
        DateTimeOffset? next = _retry.NextAttempt(firstStarted, export.Schedule.CancelWindow, due.Attempt, ended);
        _logger.LogWarning(
            "Export {Export} ({Client}): attempt {Attempt} failed: {Error}; {Next}",
            due.ExportName, due.Client, due.Attempt, error, next is { } at ? $"retrying at {at:u}" : "the cancel window has closed");
        return new ExportOccurrence(
            due.ScheduledFor, next is null ? ExportOccurrenceStatus.Failed : ExportOccurrenceStatus.Retrying, due.Attempt, firstStarted, ended, error, next);
    }

    private async Task RecordAsync(ScheduledExport export, ExportOccurrence occurrence, CancellationToken cancellation)
    {
        lock (_gate)
        {
            _latest[(export.Client, export.ExportName)] = occurrence;
        }

        try
        {
            await store.RecordAsync(export.Client, export.ExportName, occurrence, cancellation).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the store is the caller's: a failure to record is logged, never fatal to the loop
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            // Kept in memory all the same, so this process neither repeats nor forgets the run.
            _logger.LogError(ex, "Export {Export} ({Client}): cannot record the run scheduled for {Scheduled:u} as {Status}", export.ExportName, export.Client, occurrence.ScheduledFor, occurrence.Status);
        }
    }

    // On a tie the second (this process's own decision) wins: the store may not show it yet.
    private static ExportOccurrence? Newer(ExportOccurrence? a, ExportOccurrence? b) =>
        a is null ? b : b is null ? a : (a.ScheduledFor, a.Attempts, a.LastAttemptEnded).CompareTo((b.ScheduledFor, b.Attempts, b.LastAttemptEnded)) > 0 ? a : b;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
