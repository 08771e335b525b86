using Onboarding.Engine.Scheduling;

namespace Onboarding.Engine.Tests.Scheduling;

public class DailyTimeTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Fact]
    public void NextAfter_LaterToday_OrTomorrow()
    {
        var midnight = new DailyTime(new TimeOnly(0, 0), TimeZoneInfo.Utc);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), midnight.NextAfter(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), midnight.NextAfter(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero)));

        var evening = new DailyTime(new TimeOnly(22, 30), TimeZoneInfo.Utc);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 22, 30, 0, TimeSpan.Zero), evening.NextAfter(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void NextAfter_UsesTheZonesOffset()
    {
        var midnight = new DailyTime(new TimeOnly(0, 0), Paris);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.Zero), midnight.NextAfter(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)).ToUniversalTime());
        Assert.Equal(new DateOnly(2026, 11, 24), midnight.DateAt(new DateTimeOffset(2026, 11, 23, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void NextAfter_SpringForwardGap_RunsAtTheEndOfTheGap_FallBack_RunsOnce()
    {
        var twoThirty = new DailyTime(new TimeOnly(2, 30), Paris);
        DateTimeOffset spring = twoThirty.NextAfter(new DateTimeOffset(2026, 3, 29, 0, 0, 0, TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2)), spring);

        DateTimeOffset fall = twoThirty.NextAfter(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.FromHours(2)));
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)), fall);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, TimeSpan.FromHours(1)), twoThirty.NextAfter(fall));
    }
}
