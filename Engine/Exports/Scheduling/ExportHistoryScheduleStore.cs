using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Exports.Scheduling;

/// <summary>
/// The <see cref="ExportScheduler"/>'s store over every client's <c>exports.db</c>: the configurations and the run
/// history <see cref="ExportRunner"/> keeps are the schedule's state, so nothing else is persisted. What the history
/// alone cannot tell, that the scheduler gave up retrying a failed run, is kept on that run's row
/// (<see cref="ExportRun.RetriesEnded"/>), with the outcome of its notification (<see cref="ExportRun.Notification"/>).
/// Also makes the scheduler's attempts (<see cref="AttemptAsync"/>).
/// </summary>
public sealed class ExportHistoryScheduleStore : IExportScheduleStore
{
    private readonly DataFolder _data;
    private readonly Func<string, ExportRunner> _newRunner;
    private readonly IExportNotifier _notifier;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ExportRunner> _runners = new(StringComparer.Ordinal);

    /// <param name="newRunner">Makes the runner of a client (called once per client, on first use).</param>
    public ExportHistoryScheduleStore(DataFolder data, Func<string, ExportRunner> newRunner, IExportNotifier notifier, ILogger<ExportHistoryScheduleStore>? logger = null)
    {
        _data = data;
        _newRunner = newRunner;
        _notifier = notifier;
        _logger = logger ?? NullLogger<ExportHistoryScheduleStore>.Instance;
    }

    /// <summary>The clients that have export configurations (an <c>exports.db</c>); others are never opened or created.</summary>
    public IEnumerable<string> ClientsWithExports() =>
        _data.Clients.Where(client => File.Exists(new ExportStore(_data.Path, client).DatabasePath));

    /// <summary>At start-up, before the scheduler runs: closes every client's runs a crash left in progress.</summary>
    public int RecoverInterrupted() => ClientsWithExports().Sum(client => Runner(client).RecoverInterrupted());

    public Task<IReadOnlyList<ScheduledExport>> ListAsync(CancellationToken cancellation)
    {
        var exports = new List<ScheduledExport>();
        foreach (string client in ClientsWithExports())
        {
            cancellation.ThrowIfCancellationRequested();
            var store = new ExportStore(_data.Path, client);
            ILookup<string, ExportRun> history = store.ListRuns().ToLookup(r => r.Export, StringComparer.Ordinal);
            exports.AddRange(store.ListExports().Select(e =>
                new ScheduledExport(client, e.Name, e.Schedule, e.State == ExportState.Active, LatestOccurrence(history[e.Name]))));
        }

        return Task.FromResult<IReadOnlyList<ScheduledExport>>(exports);
    }

    /// <summary>One attempt: runs the export for its scheduled instant; it succeeded iff the run is complete.</summary>
    public async Task<ExportAttemptOutcome> AttemptAsync(ExportDue due, CancellationToken cancellation)
    {
        ExportRun run = await Runner(due.Client).RunAsync(due.ExportName, due.ScheduledFor, cancellation).ConfigureAwait(false);
        return run.State == ExportRunState.Complete
            ? ExportAttemptOutcome.Success
            : ExportAttemptOutcome.Failure(run.Error ?? $"the run ended {run.State}");
    }

    public async Task RecordAsync(string client, string exportName, ExportOccurrence occurrence, CancellationToken cancellation)
    {
        if (occurrence.Status == ExportOccurrenceStatus.Retrying)
        {
            return; // the failed row says so already
        }

        var store = new ExportStore(_data.Path, client);
        ExportRun? run = store.ListRuns(exportName).FirstOrDefault(r => r.ScheduledFor == occurrence.ScheduledFor && r.IsFinished);
        if (run is null)
        {
            // The attempt never got as far as a history row (the export was removed or refused to start): nothing to keep.
            _logger.LogWarning("Export {Export} ({Client}): the run scheduled for {Scheduled:u} ended {Status} without a history row: {Error}", exportName, client, occurrence.ScheduledFor, occurrence.Status, occurrence.Error);
            return;
        }

        ExportRun recorded = run;
        if (occurrence.Status != ExportOccurrenceStatus.Complete && run.RetriesEnded is null)
        {
            recorded = recorded with { RetriesEnded = $"{occurrence.Status.ToString().ToLowerInvariant()}: {occurrence.Error ?? "no retry left"}" };
        }

        if (occurrence.Status is ExportOccurrenceStatus.Complete or ExportOccurrenceStatus.Failed && run.Notification is null
            && store.FindExport(exportName) is { NotifyEmails.Count: > 0 } export)
        {
            ExportNotificationResult result = await _notifier.NotifyAsync(Notification(client, export, run, occurrence), cancellation).ConfigureAwait(false);
            recorded = recorded with { Notification = result.Detail };
        }

        // One save after the notification: a crash in between repeats a failure notice (the run is still retrying) rather than losing it.
        if (recorded != run)
        {
            store.SaveRun(recorded);
        }
    }

    /// <summary>The latest run of an export as the scheduler sees it, from its history rows (newest first).</summary>
    internal static ExportOccurrence? LatestOccurrence(IEnumerable<ExportRun> history)
    {
        List<ExportRun> runs = [.. history.Where(r => r.State != ExportRunState.Scheduled)];
        if (runs.Count == 0)
        {
            return null;
        }

        DateTimeOffset scheduledFor = runs.Max(r => r.ScheduledFor);
        List<ExportRun> attempts = [.. runs.Where(r => r.ScheduledFor == scheduledFor).OrderBy(r => r.Id)];
        ExportRun last = attempts[^1];
        ExportOccurrenceStatus status = last.State switch
        {
            ExportRunState.Complete => ExportOccurrenceStatus.Complete,
            _ when last.RetriesEnded is not null => ExportOccurrenceStatus.Failed,

            // Failed, interrupted by a restart, or canceled by a shutdown: the retry policy decides.
            _ => ExportOccurrenceStatus.Retrying,
        };
        DateTimeOffset firstStarted = attempts.Min(r => r.Started) ?? scheduledFor;
        return new ExportOccurrence(scheduledFor, status, last.Attempt, firstStarted, last.Ended ?? last.Started ?? firstStarted, last.Error);
    }

    private static ExportNotification Notification(string client, ExportConfiguration export, ExportRun run, ExportOccurrence occurrence) => new()
    {
        Client = client,
        ExportName = export.Name,
        Audience = run.Audience,
        Status = occurrence.Status == ExportOccurrenceStatus.Complete ? ExportNotificationStatus.Complete : ExportNotificationStatus.Failed,
        Rows = run.Rows,
        Bytes = run.Bytes,
        FileName = run.FileName,
        Destination = run.Destination,
        Error = occurrence.Status == ExportOccurrenceStatus.Complete ? null : occurrence.Error ?? run.Error,
        Started = occurrence.FirstAttemptStarted,
        Ended = occurrence.LastAttemptEnded,
        Recipients = export.NotifyEmails,
    };

    private ExportRunner Runner(string client) => _runners.GetOrAdd(client, _newRunner);
}
