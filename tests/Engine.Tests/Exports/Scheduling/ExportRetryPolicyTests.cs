using Onboarding.Engine.Exports.Scheduling;

namespace Onboarding.Engine.Tests.Exports.Scheduling;

public class ExportRetryPolicyTests
{
    private static readonly DateTimeOffset Scheduled = new(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DelayAfter_DoublesFromOneMinuteUpToThirty()
    {
        Assert.Equal(
            [1, 2, 4, 8, 16, 30, 30, 30],
            Enumerable.Range(1, 8).Select(n => ExportRetryPolicy.Default.DelayAfter(n).TotalMinutes));
        Assert.Equal(TimeSpan.FromMinutes(30), ExportRetryPolicy.Default.DelayAfter(int.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportRetryPolicy.Default.DelayAfter(0));
    }

    [Fact]
    public void NextAttempt_WaitsTheDelayAfterTheFailure()
    {
        // The second attempt failed 5 minutes after the scheduled time (it took 4 minutes to fail): wait 2 minutes.
        Assert.Equal(Scheduled.AddMinutes(7), ExportRetryPolicy.Default.NextAttempt(Scheduled, TimeSpan.FromHours(4), 2, Scheduled.AddMinutes(5)));
    }

    [Fact]
    public void NextAttempt_ImmediateFailuresWithinAFourHourWindow_FollowTheBackoffThenStop()
    {
        var attempts = new List<DateTimeOffset> { Scheduled };
        while (ExportRetryPolicy.Default.NextAttempt(Scheduled, TimeSpan.FromHours(4), attempts.Count, attempts[^1]) is { } next)
        {
            attempts.Add(next);
        }

        // 0, 1, 3, 7, 15, 31, then every 30 minutes: 61 ... 211, and the last one exactly when the window closes.
        Assert.Equal(
            [0, 1, 3, 7, 15, 31, 61, 91, 121, 151, 181, 211, 240],
            attempts.Select(a => (a - Scheduled).TotalMinutes));
    }

    [Fact]
    public void NextAttempt_WindowClosed_IsNone()
    {
        Assert.Null(ExportRetryPolicy.Default.NextAttempt(Scheduled, TimeSpan.FromHours(4), 3, Scheduled.AddHours(4)));
        Assert.Null(ExportRetryPolicy.Default.NextAttempt(Scheduled, TimeSpan.FromHours(4), 1, Scheduled.AddHours(5)));
        Assert.Null(ExportRetryPolicy.Default.NextAttempt(Scheduled, TimeSpan.Zero, 1, Scheduled));
    }

    [Fact]
    public void NextAttempt_ClosingSoon_RetriesOnceMoreWhenItCloses()
    {
        Assert.Equal(Scheduled.AddMinutes(10), ExportRetryPolicy.Default.NextAttempt(Scheduled, TimeSpan.FromMinutes(10), 4, Scheduled.AddMinutes(9)));
    }

    [Fact]
    public void NextAttempt_CustomPolicy_UsesItsDelays()
    {
        var policy = new ExportRetryPolicy(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(25));
        Assert.Equal(Scheduled.AddSeconds(25), policy.NextAttempt(Scheduled, TimeSpan.FromHours(1), 3, Scheduled));
    }
}
