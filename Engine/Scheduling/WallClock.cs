namespace Onboarding.Engine.Scheduling;

/// <summary>Turns a wall-clock reading in a time zone into the instant it names, the same way for every schedule.</summary>
public static class WallClock
{
    /// <summary>The instant at which the wall clock of <paramref name="zone"/> reads <paramref name="wall"/>.</summary>
    /// <remarks>
    /// A reading that does not exist (inside a spring-forward gap) is moved to the end of the gap, so a job is late rather
    /// than lost; a reading that exists twice (fall back) is the first of the two, so a daily job runs once.
    /// </remarks>
    public static DateTimeOffset ToInstant(TimeZoneInfo zone, DateTime wall)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            // Gaps start and end on a minute boundary: the first valid minute is the end of the gap.
            wall = new DateTime(wall.Ticks - (wall.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified);
            while (zone.IsInvalidTime(wall))
            {
                wall = wall.AddMinutes(1);
            }
        }

        TimeSpan offset = zone.IsAmbiguousTime(wall) ? zone.GetAmbiguousTimeOffsets(wall).Max() : zone.GetUtcOffset(wall);
        return new DateTimeOffset(wall, offset);
    }

    /// <summary>What the wall clock of <paramref name="zone"/> reads at <paramref name="instant"/>.</summary>
    public static DateTime ReadingAt(TimeZoneInfo zone, DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone).DateTime;
}
