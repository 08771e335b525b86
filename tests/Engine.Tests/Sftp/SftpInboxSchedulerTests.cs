using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Tests.Sftp;

/// <summary>Scheduling and backoff, driven by a fake clock against a port where nothing listens.</summary>
public sealed class SftpInboxSchedulerTests : IDisposable
{
    private readonly SftpTestBed _bed = new();

    [Fact]
    public void Backoff_DoublesPerFailure_UpToTheCap()
    {
        TimeSpan interval = TimeSpan.FromSeconds(60);

        Assert.Equal(interval, SftpBackoff.Delay(interval, 0));
        Assert.Equal(TimeSpan.FromSeconds(120), SftpBackoff.Delay(interval, 1));
        Assert.Equal(TimeSpan.FromSeconds(240), SftpBackoff.Delay(interval, 2));
        Assert.Equal(TimeSpan.FromSeconds(480), SftpBackoff.Delay(interval, 3));
        Assert.Equal(SftpBackoff.DefaultCap, SftpBackoff.Delay(interval, 4));
        Assert.Equal(SftpBackoff.DefaultCap, SftpBackoff.Delay(interval, 1000));
        Assert.Equal(TimeSpan.FromHours(2), SftpBackoff.Delay(TimeSpan.FromHours(2), 5)); // never below the interval
    }

    [Fact]
    public async Task Scheduler_FailingInbox_BacksOffExponentially_AndRecordsTheError()
    {
        SftpInbox inbox = _bed.PasswordInbox(null, "/in", port: 1) with { PollInterval = TimeSpan.FromSeconds(30) };
        _bed.Store.Add(inbox);
        var scheduler = new SftpInboxScheduler(_bed.Store, _bed.Poller(), _ => _bed.LocalInbox, _bed.Time);
        var gaps = new List<TimeSpan>();

        for (int failure = 1; failure <= 6; failure++)
        {
            Assert.Equal(["main"], scheduler.StartDue(default));
            await scheduler.WhenIdleAsync();
            SftpInboxStatus status = _bed.Store.ReadStatus(inbox);
            Assert.Equal(failure, status.ConsecutiveFailures);
            Assert.Contains("cannot connect", status.LastError, StringComparison.Ordinal);
            Assert.Equal(_bed.Time.GetUtcNow(), status.LastErrorAt);
            TimeSpan gap = status.NextPoll!.Value - _bed.Time.GetUtcNow();
            gaps.Add(gap);

            _bed.Time.Advance(gap - TimeSpan.FromSeconds(1));
            Assert.Empty(scheduler.StartDue(default)); // not due yet
            _bed.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([60, 120, 240, 480, 900, 900], gaps.Select(g => g.TotalSeconds));
        Assert.Null(_bed.Store.ReadStatus(inbox).LastSuccess);
    }

    [Fact]
    public async Task Scheduler_PicksUpInboxesAddedWhileRunning_AndDropsRemovedOnes()
    {
        var scheduler = new SftpInboxScheduler(_bed.Store, _bed.Poller(), _ => _bed.LocalInbox, _bed.Time);
        Assert.Empty(scheduler.StartDue(default));

        _bed.Store.Add(_bed.PasswordInbox(null, "/in", name: "late", port: 1));
        Assert.Equal(["late"], scheduler.StartDue(default));
        await scheduler.WhenIdleAsync();

        _bed.Store.Remove("late");
        _bed.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(scheduler.StartDue(default));
    }

    public void Dispose() => _bed.Dispose();
}
