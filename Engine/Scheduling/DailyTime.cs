namespace Onboarding.Engine.Scheduling;

/// <summary>A time of day in a time zone, such as "00:00 local" for nightly audience processing.</summary>
public sealed record DailyTime(TimeOnly Time, TimeZoneInfo Zone)
{
    /// <summary>The first moment strictly after <paramref name="after"/> at which the wall clock in the zone reads <see cref="Time"/>.</summary>
    /// <remarks>
    /// On a day when that wall-clock time does not exist (a spring-forward gap) the run happens at the end of the gap;
    /// when it exists twice (fall back) the first occurrence is used, so a job runs once per day (see <see cref="WallClock"/>).
    /// </remarks>
    public DateTimeOffset NextAfter(DateTimeOffset after)
    {
        for (DateOnly day = DateAt(after); ; day = day.AddDays(1))
        {
            DateTimeOffset candidate = WallClock.ToInstant(Zone, day.ToDateTime(Time));
            if (candidate > after)
            {
                return candidate;
            }
        }
    }

    /// <summary>The calendar date in the zone at an instant (the "processing date" of a run).</summary>
    public DateOnly DateAt(DateTimeOffset instant) => DateOnly.FromDateTime(WallClock.ReadingAt(Zone, instant));
}
