using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Exports.Scheduling;

namespace Onboarding.Engine.Tests.Exports.Scheduling;

/// <summary>The scheduler on a fake clock: time moves by Advance, never by sleeping.</summary>
public sealed class ExportSchedulerTests
{
    private static readonly DateTimeOffset Origin = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Origin);
    private readonly MemoryStore _store = new();
    private readonly ConcurrentQueue<(ExportDue Due, DateTimeOffset At)> _attempts = new();
    private Func<ExportDue, ExportAttemptOutcome> _outcome = _ => ExportAttemptOutcome.Success;

    [Fact]
    public async Task OneTime_RunsOnceAtItsStart()
    {
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 9, 0, 0) });
        ExportScheduler scheduler = CreateSut();

        Assert.Empty(await scheduler.RunDueAsync(default));
        _time.Advance(TimeSpan.FromHours(9) - TimeSpan.FromSeconds(1));
        Assert.Empty(await scheduler.RunDueAsync(default));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([new ExportDue("acme", "gold", Origin.AddHours(9), 1)], await scheduler.RunDueAsync(default));
        await StepAsync(scheduler, TimeSpan.FromHours(1), 72);

        Assert.Single(_attempts);
        Assert.Equal([ExportOccurrenceStatus.Complete], _store.Records("gold").Select(r => r.Status));
    }

    [Fact]
    public async Task Daily_RunsAtItsTimeEveryDay_UntilTheEndDate()
    {
        _store.Add("gold", new ExportSchedule
        {
            Recurrence = ExportRecurrence.Daily,
            Start = new DateTime(2026, 11, 23, 6, 0, 0),
            EndDate = new DateOnly(2026, 11, 26),
            TimeZone = "Europe/Berlin",
        });
        ExportScheduler scheduler = CreateSut();

        await StepAsync(scheduler, TimeSpan.FromMinutes(10), 7 * 24 * 6);

        Assert.Equal(
            [new DateTime(2026, 11, 23, 5, 0, 0), new DateTime(2026, 11, 24, 5, 0, 0), new DateTime(2026, 11, 25, 5, 0, 0), new DateTime(2026, 11, 26, 5, 0, 0)],
            _attempts.Select(a => a.Due.ScheduledFor.UtcDateTime));
        Assert.All(_attempts, a => Assert.Equal(a.Due.ScheduledFor, a.At));
    }

    [Fact]
    public async Task WeeklyMonthlyAndCron_EachRunOnTheirOccurrences()
    {
        _store.Add("weekly", new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Days = [DayOfWeek.Tuesday, DayOfWeek.Friday], Start = new DateTime(2026, 11, 23, 12, 0, 0) });
        _store.Add("monthly", new ExportSchedule { Recurrence = ExportRecurrence.Monthly, DayOfMonth = 31, Start = new DateTime(2026, 11, 23, 12, 0, 0) });
        _store.Add("cron", new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "30 8 1,15 * *", Start = new DateTime(2026, 11, 23, 0, 0, 0), TimeZone = "America/New_York" });
        ExportScheduler scheduler = CreateSut();

        await StepAsync(scheduler, TimeSpan.FromHours(1), 24 * 40);

        Assert.Equal(
            [new DateTime(2026, 11, 24, 12, 0, 0), new DateTime(2026, 11, 27, 12, 0, 0), new DateTime(2026, 12, 1, 12, 0, 0), new DateTime(2026, 12, 4, 12, 0, 0)],
            Scheduled("weekly").Take(4));
        Assert.Equal([new DateTime(2026, 11, 30, 12, 0, 0), new DateTime(2026, 12, 31, 12, 0, 0)], Scheduled("monthly"));
        Assert.Equal([new DateTime(2026, 12, 1, 13, 30, 0), new DateTime(2026, 12, 15, 13, 30, 0), new DateTime(2027, 1, 1, 13, 30, 0)], Scheduled("cron"));
    }

    [Fact]
    public async Task SchedulerDownForThreeDays_RunsTheLatestMissedOccurrenceOnce()
    {
        _store.Add("gold", new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 11, 20, 6, 0, 0) });
        _store.SetLatest("gold", new ExportOccurrence(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero), ExportOccurrenceStatus.Complete, 1, Origin.AddDays(-3).AddHours(6), Origin.AddDays(-3).AddHours(6.1)));
        _time.Advance(TimeSpan.FromHours(10)); // 21st, 22nd and 23rd at 06:00 were missed
        ExportScheduler scheduler = CreateSut();

        Assert.Equal([new ExportDue("acme", "gold", Origin.AddHours(6), 1)], await scheduler.RunDueAsync(default));
        Assert.Empty(await scheduler.RunDueAsync(default));
        await StepAsync(scheduler, TimeSpan.FromHours(1), 24);

        Assert.Equal([new DateTime(2026, 11, 23, 6, 0, 0), new DateTime(2026, 11, 24, 6, 0, 0)], Scheduled("gold"));
    }

    [Fact]
    public async Task NeverRan_StartLongPast_RunsOnlyTheLatestOccurrence()
    {
        _store.Add("gold", new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "*/5 * * * *", Start = new DateTime(2025, 1, 1) });
        _time.Advance(TimeSpan.FromMinutes(12));
        ExportScheduler scheduler = CreateSut();

        Assert.Equal([new ExportDue("acme", "gold", Origin.AddMinutes(10), 1)], await scheduler.RunDueAsync(default));
    }

    [Fact]
    public async Task Paused_NeverRuns_AndOccurrencesWhilePausedAreNotMadeUp()
    {
        _store.Add("gold", new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 11, 23, 6, 0, 0) });
        ExportScheduler scheduler = CreateSut();
        await StepAsync(scheduler, TimeSpan.FromHours(1), 8); // 08:00 on the 23rd: the first run happened

        _store.SetActive("gold", false);
        await StepAsync(scheduler, TimeSpan.FromHours(1), 24 * 2); // 08:00 on the 25th: the 24th and 25th fell while paused
        Assert.Single(_attempts);

        _store.SetActive("gold", true);
        Assert.Empty(await scheduler.RunDueAsync(default));
        await StepAsync(scheduler, TimeSpan.FromHours(1), 24);
        Assert.Equal([new DateTime(2026, 11, 23, 6, 0, 0), new DateTime(2026, 11, 26, 6, 0, 0)], Scheduled("gold"));
    }

    [Fact]
    public async Task OneTimeExportPausedPastItsTime_RunsOnceActivated()
    {
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 9, 0, 0) });
        _store.SetActive("gold", false);
        ExportScheduler scheduler = CreateSut();
        await StepAsync(scheduler, TimeSpan.FromHours(1), 12);
        Assert.Empty(_attempts);

        _store.SetActive("gold", true);
        await StepAsync(scheduler, TimeSpan.FromHours(1), 12);
        Assert.Equal([new DateTime(2026, 11, 23, 9, 0, 0)], Scheduled("gold"));
    }

    [Fact]
    public async Task Canceled_NeverRunsAgain()
    {
        _store.Add("gold", new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 * * * *", Start = new DateTime(2026, 11, 23) });
        ExportScheduler scheduler = CreateSut();
        await StepAsync(scheduler, TimeSpan.FromMinutes(30), 5);
        Assert.Equal(3, _attempts.Count); // 00:00, 01:00, 02:00

        _store.SetActive("gold", false);
        await StepAsync(scheduler, TimeSpan.FromMinutes(30), 100);
        Assert.Equal(3, _attempts.Count);
    }

    [Fact]
    public async Task FailingRun_RetriesWithBackoff_ThenFailsWhenTheWindowCloses()
    {
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 6, 0, 0), CancelWindow = TimeSpan.FromMinutes(30) });
        _outcome = due => ExportAttemptOutcome.Failure($"connection refused ({due.Attempt})");
        ExportScheduler scheduler = CreateSut();

        await StepAsync(scheduler, TimeSpan.FromSeconds(30), 2 * 60 * 8);

        Assert.Equal([0, 1, 3, 7, 15, 30], _attempts.Select(a => (a.At - Origin.AddHours(6)).TotalMinutes));
        Assert.Equal([1, 2, 3, 4, 5, 6], _attempts.Select(a => a.Due.Attempt));
        IReadOnlyList<ExportOccurrence> records = _store.Records("gold");
        Assert.Equal([.. Enumerable.Repeat(ExportOccurrenceStatus.Retrying, 5), ExportOccurrenceStatus.Failed], records.Select(r => r.Status));
        Assert.Equal(Origin.AddHours(6).AddMinutes(3), records[1].NextAttempt);
        Assert.Equal("connection refused (6)", records[^1].Error);
        Assert.Null(records[^1].NextAttempt);
    }

    [Fact]
    public async Task FailingRun_ThatLaterSucceeds_EndsComplete()
    {
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 6, 0, 0) });
        _outcome = due => due.Attempt < 3 ? ExportAttemptOutcome.Failure("disk full") : ExportAttemptOutcome.Success;
        ExportScheduler scheduler = CreateSut();

        await StepAsync(scheduler, TimeSpan.FromMinutes(1), 60 * 8);

        Assert.Equal(
            [ExportOccurrenceStatus.Retrying, ExportOccurrenceStatus.Retrying, ExportOccurrenceStatus.Complete],
            _store.Records("gold").Select(r => r.Status));
        Assert.Equal(3, _store.Records("gold")[^1].Attempts);
    }

    [Fact]
    public async Task AttemptThatThrows_IsAFailedAttemptWithItsMessage()
    {
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 0, 0, 0), CancelWindow = TimeSpan.Zero });
        _outcome = _ => throw new IOException("the destination folder is gone");
        ExportScheduler scheduler = CreateSut();

        await scheduler.RunDueAsync(default);

        ExportOccurrence failed = Assert.Single(_store.Records("gold"));
        Assert.Equal(ExportOccurrenceStatus.Failed, failed.Status);
        Assert.Equal("the destination folder is gone", failed.Error);
    }

    [Fact]
    public async Task PausedWhileRetrying_TheRunEndsCanceled()
    {
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 0, 0, 0) });
        _outcome = _ => ExportAttemptOutcome.Failure("host unreachable");
        ExportScheduler scheduler = CreateSut();
        await StepAsync(scheduler, TimeSpan.FromMinutes(1), 5); // attempts at 0, 1 and 3 minutes

        _store.SetActive("gold", false);
        await StepAsync(scheduler, TimeSpan.FromMinutes(1), 60);
        _store.SetActive("gold", true);
        await StepAsync(scheduler, TimeSpan.FromMinutes(1), 60);

        Assert.Equal(3, _attempts.Count);
        ExportOccurrence last = _store.Records("gold")[^1];
        Assert.Equal(ExportOccurrenceStatus.Canceled, last.Status);
        Assert.Equal(3, last.Attempts);
    }

    [Fact]
    public async Task Restart_ContinuesARetryingRun_FromTheHistory()
    {
        var scheduled = Origin.AddHours(6);
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 6, 0, 0) });
        _store.SetLatest("gold", new ExportOccurrence(scheduled, ExportOccurrenceStatus.Retrying, 3, scheduled, scheduled.AddMinutes(3), "timeout"));
        _time.Advance(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(5)); // the 4th attempt is due 4 minutes after the 3rd failed

        Assert.Empty(await CreateSut().RunDueAsync(default));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal([new ExportDue("acme", "gold", scheduled, 4)], await CreateSut().RunDueAsync(default));
        Assert.Equal(ExportOccurrenceStatus.Complete, _store.Records("gold")[^1].Status);
    }

    [Fact]
    public async Task Restart_AfterTheWindowClosed_EndsTheRunFailedWithoutAnotherAttempt()
    {
        var scheduled = Origin.AddHours(6);
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23, 6, 0, 0), CancelWindow = TimeSpan.FromHours(1) });
        _store.SetLatest("gold", new ExportOccurrence(scheduled, ExportOccurrenceStatus.Retrying, 2, scheduled, scheduled.AddMinutes(1), "timeout"));
        _time.Advance(TimeSpan.FromHours(9));

        Assert.Empty(await CreateSut().RunDueAsync(default));
        ExportOccurrence failed = Assert.Single(_store.Records("gold"));
        Assert.Equal(ExportOccurrenceStatus.Failed, failed.Status);
        Assert.Equal("the cancel window closed (timeout)", failed.Error);
        Assert.Empty(_attempts);
    }

    [Fact]
    public async Task RunStillRetrying_WhenTheNextOccurrenceFalls_IsSupersededByIt()
    {
        _store.Add("gold", new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 * * * *", Start = new DateTime(2026, 11, 23), CancelWindow = TimeSpan.FromHours(4) });
        _outcome = due => due.ScheduledFor == Origin ? ExportAttemptOutcome.Failure("quota exceeded") : ExportAttemptOutcome.Success;
        ExportScheduler scheduler = CreateSut();

        await StepAsync(scheduler, TimeSpan.FromMinutes(1), 61);

        IReadOnlyList<ExportOccurrence> records = _store.Records("gold");
        ExportOccurrence superseded = records.Single(r => r.ScheduledFor == Origin && r.Status == ExportOccurrenceStatus.Failed);
        Assert.StartsWith("superseded by the run scheduled for 2026-11-23 01:00:00Z", superseded.Error, StringComparison.Ordinal);
        Assert.Equal(ExportOccurrenceStatus.Complete, records[^1].Status);
        Assert.Equal(Origin.AddHours(1), records[^1].ScheduledFor);
    }

    [Fact]
    public async Task InvalidSchedule_IsSkipped_OthersRun()
    {
        _store.Add("broken", new ExportSchedule { Start = new DateTime(2026, 11, 23), TimeZone = "Nowhere/Land" });
        _store.Add("gold", new ExportSchedule { Start = new DateTime(2026, 11, 23) });

        Assert.Equal(["gold"], (await CreateSut().RunDueAsync(default)).Select(d => d.ExportName));
    }

    [Fact]
    public async Task RunAsync_RunsDueExportsAsTimeMoves_AndNeverTheSameExportTwiceAtOnce()
    {
        _store.Add("gold", new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "* * * * *", Start = new DateTime(2026, 11, 23, 0, 1, 0) });
        var release = new TaskCompletionSource();
        var running = 0;
        var maxRunning = 0;
        var scheduler = new ExportScheduler(_store, async (due, _) =>
        {
            maxRunning = Math.Max(maxRunning, Interlocked.Increment(ref running));
            _attempts.Enqueue((due, _time.GetUtcNow()));
            await release.Task;
            Interlocked.Decrement(ref running);
            return ExportAttemptOutcome.Success;
        }, _time) { PollInterval = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();
        Task loop = scheduler.RunAsync(stop.Token);

        await AdvanceUntilAsync(() => !_attempts.IsEmpty);
        _time.Advance(TimeSpan.FromMinutes(5)); // the first attempt still runs: nothing else starts
        await Task.Delay(200);
        Assert.Single(_attempts);

        release.SetResult();
        await AdvanceUntilAsync(() => _store.Records("gold").Count >= 3);
        await stop.CancelAsync();
        await loop;

        Assert.Equal(1, maxRunning);
        Assert.Equal(Origin.AddMinutes(1), _attempts.First().Due.ScheduledFor);
        // The minutes that fell while the first attempt ran are not made up one by one.
        Assert.DoesNotContain(_attempts, a => a.Due.ScheduledFor > Origin.AddMinutes(1) && a.Due.ScheduledFor < Origin.AddMinutes(6));
    }

    private ExportScheduler CreateSut() => new(_store, (due, _) =>
    {
        _attempts.Enqueue((due, _time.GetUtcNow()));
        return Task.FromResult(_outcome(due));
    }, _time);

    private List<DateTime> Scheduled(string export) =>
        [.. _attempts.Where(a => a.Due.ExportName == export && a.Due.Attempt == 1).Select(a => a.Due.ScheduledFor.UtcDateTime)];

    private async Task StepAsync(ExportScheduler scheduler, TimeSpan step, int steps)
    {
        await scheduler.RunDueAsync(default);
        for (int i = 0; i < steps; i++)
        {
            _time.Advance(step);
            await scheduler.RunDueAsync(default);
        }
    }

    // The loop sleeps on the fake clock; nudging it forward a second at a time wakes it whatever it waits for.
    private async Task AdvanceUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the scheduler loop did not get there within 30 s");
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }
    }

    private sealed class MemoryStore : IExportScheduleStore
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, ScheduledExport> _exports = [];
        private readonly List<(string Export, ExportOccurrence Occurrence)> _records = [];

        public void Add(string name, ExportSchedule schedule)
        {
            lock (_gate)
            {
                _exports[name] = new ScheduledExport("acme", name, schedule, Active: true);
            }
        }

        public void SetActive(string name, bool active)
        {
            lock (_gate)
            {
                _exports[name] = _exports[name] with { Active = active };
            }
        }

        public void SetLatest(string name, ExportOccurrence latest)
        {
            lock (_gate)
            {
                _exports[name] = _exports[name] with { Latest = latest };
            }
        }

        public IReadOnlyList<ExportOccurrence> Records(string name)
        {
            lock (_gate)
            {
                return [.. _records.Where(r => r.Export == name).Select(r => r.Occurrence)];
            }
        }

        public Task<IReadOnlyList<ScheduledExport>> ListAsync(CancellationToken cancellation)
        {
            lock (_gate)
            {
                return Task.FromResult<IReadOnlyList<ScheduledExport>>([.. _exports.Values]);
            }
        }

        public Task RecordAsync(string client, string exportName, ExportOccurrence occurrence, CancellationToken cancellation)
        {
            lock (_gate)
            {
                _records.Add((exportName, occurrence));
                _exports[exportName] = _exports[exportName] with { Latest = occurrence };
            }

            return Task.CompletedTask;
        }
    }
}
