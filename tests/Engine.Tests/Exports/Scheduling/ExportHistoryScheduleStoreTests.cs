using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Exports.Scheduling;

namespace Onboarding.Engine.Tests.Exports.Scheduling;

/// <summary>The scheduler over real export history: what a restart (a new scheduler over the same data) sees.</summary>
public sealed class ExportHistoryScheduleStoreTests : IDisposable
{
    private readonly ExportHarness _h = new();
    private readonly ExportHistoryScheduleStore _store;

    public ExportHistoryScheduleStoreTests()
    {
        _store = new ExportHistoryScheduleStore(_h.Ingestion.Data, _ => _h.NewRunner(), new SmtpExportNotifier(new SmtpOptions()));
    }

    [Fact]
    public async Task FailedRun_IsRetriedAfterARestart_UntilItCompletes_ThenNotRunAgain()
    {
        Once(TimeSpan.FromHours(1));
        Directory.Delete(_h.OutFolder);

        Assert.Single(await NewScheduler().RunDueAsync(CancellationToken.None));
        ExportRun failed = Assert.Single(_h.Exports.Store.ListRuns("once"));
        Assert.Equal((ExportRunState.Failed, null), (failed.State, failed.RetriesEnded));

        ExportScheduler restarted = NewScheduler();
        Assert.Empty(await restarted.RunDueAsync(CancellationToken.None)); // the first retry waits a minute
        Directory.CreateDirectory(_h.OutFolder);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        ExportDue retry = Assert.Single(await restarted.RunDueAsync(CancellationToken.None));

        Assert.Equal(2, retry.Attempt);
        Assert.Equal([ExportRunState.Complete, ExportRunState.Failed], _h.Exports.Store.ListRuns("once").Select(r => r.State));
        Assert.Single(_h.Delivered());
        _h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await NewScheduler().RunDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WhenTheCancelWindowCloses_TheRunEndsFailed_AndARestartDoesNotRetryIt()
    {
        Once(TimeSpan.Zero);
        Directory.Delete(_h.OutFolder);

        await NewScheduler().RunDueAsync(CancellationToken.None);
        Directory.CreateDirectory(_h.OutFolder);
        _h.Time.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await NewScheduler().RunDueAsync(CancellationToken.None));
        ExportRun run = Assert.Single(_h.Exports.Store.ListRuns("once"));
        Assert.StartsWith("failed: ", run.RetriesEnded, StringComparison.Ordinal);
        Assert.Null(run.Notification); // the export has no addresses
        Assert.Empty(_h.Delivered());
    }

    [Fact]
    public async Task RunInterruptedByACrash_IsRecoveredAtStartUp_AndRetried()
    {
        Once(TimeSpan.FromHours(1));
        DateTimeOffset now = _h.Time.GetUtcNow();
        _h.Exports.Store.AddRun(new ExportRun { Id = 0, Export = "once", Audience = "Gold", State = ExportRunState.InProgress, ScheduledFor = now, Started = now });

        Assert.Equal(1, _store.RecoverInterrupted());
        ExportScheduler scheduler = NewScheduler();
        Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, Assert.Single(await scheduler.RunDueAsync(CancellationToken.None)).Attempt);

        Assert.Equal([ExportRunState.Complete, ExportRunState.Failed], _h.Exports.Store.ListRuns("once").Select(r => r.State));
        Assert.Single(_h.Delivered());
    }

    [Fact]
    public async Task PausedAndCanceledExports_AreListedInactive_AndNeverRun()
    {
        Once(TimeSpan.FromHours(1));
        _h.Export("paused", e => e with { Schedule = new ExportSchedule { Start = _h.Time.GetUtcNow().UtcDateTime } });
        _h.Exports.Pause("paused");
        _h.Exports.Cancel("once");

        IReadOnlyList<ScheduledExport> listed = await _store.ListAsync(CancellationToken.None);

        Assert.Equal([("once", false), ("paused", false)], listed.Select(e => (e.ExportName, e.Active)).Order());
        Assert.Empty(await NewScheduler().RunDueAsync(CancellationToken.None));
    }

    public void Dispose() => _h.Dispose();

    private ExportScheduler NewScheduler() => new(_store, _store.AttemptAsync, _h.Time);

    private void Once(TimeSpan cancelWindow) => _h.Export("once", e => e with
    {
        Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Once, Start = _h.Time.GetUtcNow().UtcDateTime, CancelWindow = cancelWindow },
    });
}
