using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Exports.Scheduling;

/// <summary>
/// When a failed export run tries again: after <see cref="FirstDelay"/>, doubling after each failure up to
/// <see cref="MaxDelay"/>, for as long as the schedule's cancel window is open. The window opens when the first attempt
/// starts and closes <see cref="ExportSchedule.CancelWindow"/> later; no attempt starts after it closes, and the last
/// one may start exactly when it closes.
/// </summary>
public sealed record ExportRetryPolicy(TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>1 minute, 2, 4, 8, 16, then every 30 minutes.</summary>
    public static ExportRetryPolicy Default { get; } = new(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30));

    /// <summary>The wait after the given number of failed attempts in a row (1 = the first attempt failed).</summary>
    public TimeSpan DelayAfter(int failedAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        return SftpBackoff.Delay(FirstDelay, failedAttempts - 1, MaxDelay);
    }

    /// <summary>When to start the next attempt, or none when the cancel window has closed.</summary>
    /// <param name="windowOpened">When the first attempt of this run started (its scheduled time when it ran on time).</param>
    /// <param name="cancelWindow">How long the run may keep retrying (<see cref="ExportSchedule.CancelWindow"/>).</param>
    /// <param name="failedAttempts">How many attempts of this run have failed so far (at least 1).</param>
    /// <param name="failedAt">When the last attempt ended.</param>
    public DateTimeOffset? NextAttempt(DateTimeOffset windowOpened, TimeSpan cancelWindow, int failedAttempts, DateTimeOffset failedAt)
    {
        DateTimeOffset closes = windowOpened + cancelWindow;
        if (failedAt >= closes)
        {
            return null;
        }

        DateTimeOffset next = failedAt + DelayAfter(failedAttempts);
        return next < closes ? next : closes;
    }
}
