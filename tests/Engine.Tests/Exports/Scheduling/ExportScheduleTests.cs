using Onboarding.Engine.Exports.Scheduling;

namespace Onboarding.Engine.Tests.Exports.Scheduling;

public class ExportScheduleTests
{
    private static readonly TimeSpan Edt = TimeSpan.FromHours(-4);
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5);
    private static readonly TimeSpan Cest = TimeSpan.FromHours(2);
    private static readonly TimeSpan Cet = TimeSpan.FromHours(1);

    [Fact]
    public void NextRun_Once_IsStartOnlyBeforeStart()
    {
        var once = new ExportSchedule { Start = new DateTime(2026, 12, 1, 9, 0, 0), TimeZone = "Europe/Berlin" };
        var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, Cet);

        Assert.Equal(start, once.NextRun(start.AddDays(-30)));
        Assert.Equal(start, once.NextRun(start.AddTicks(-1)));
        Assert.Null(once.NextRun(start));
        Assert.Null(once.NextRun(start.AddDays(1)));
    }

    [Fact]
    public void NextRun_Daily_StartsAtStartAndRepeatsAtItsTimeOfDay()
    {
        var daily = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 11, 23, 6, 30, 0), TimeZone = "America/New_York" };

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 6, 30, 0, Est), daily.NextRun(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 6, 30, 0, Est), daily.NextRun(new DateTimeOffset(2026, 11, 23, 6, 30, 0, Est)));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 6, 30, 0, Est), daily.NextRun(new DateTimeOffset(2026, 11, 24, 11, 29, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void NextRun_NewYorkSpringForward_RunsAtTheEndOfTheGap()
    {
        // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT, so 02:15 does not exist that day.
        var daily = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 3, 1, 2, 15, 0), TimeZone = "America/New_York" };

        DateTimeOffset gapDay = daily.NextRun(new DateTimeOffset(2026, 3, 7, 2, 15, 0, Est))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 3, 0, 0, Edt), gapDay);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 2, 15, 0, Edt), daily.NextRun(gapDay));
    }

    [Fact]
    public void NextRun_NewYorkFallBack_RunsOnceAtTheFirstOfTheTwoReadings()
    {
        // 2026-11-01: 01:00-02:00 happens twice (EDT, then EST).
        var daily = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 10, 1, 1, 30, 0), TimeZone = "America/New_York" };

        DateTimeOffset first = daily.NextRun(new DateTimeOffset(2026, 10, 31, 1, 30, 0, Edt))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 1, 30, 0, Edt), first);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 1, 30, 0, Est), daily.NextRun(first));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 1, 30, 0, Est), daily.NextRun(new DateTimeOffset(2026, 11, 1, 1, 15, 0, Est)));
    }

    [Fact]
    public void NextRun_BerlinTransitions_GapAndOverlap()
    {
        var daily = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 1, 1, 2, 30, 0), TimeZone = "Europe/Berlin" };

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 0, 0, Cest), daily.NextRun(new DateTimeOffset(2026, 3, 28, 2, 30, 0, Cet)));
        DateTimeOffset overlap = daily.NextRun(new DateTimeOffset(2026, 10, 24, 2, 30, 0, Cest))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 2, 30, 0, Cest), overlap);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 2, 30, 0, Cet), daily.NextRun(overlap));
    }

    [Fact]
    public void NextRun_Weekly_RunsOnTheChosenDaysFromStart()
    {
        // 2026-11-25 is a Wednesday: the first run is Thursday the 26th, never before Start.
        var weekly = new ExportSchedule
        {
            Recurrence = ExportRecurrence.Weekly,
            Start = new DateTime(2026, 11, 25, 8, 0, 0),
            Days = [DayOfWeek.Monday, DayOfWeek.Thursday],
            TimeZone = "Europe/Berlin",
        };

        Assert.Equal(
            [new DateTime(2026, 11, 26, 8, 0, 0), new DateTime(2026, 11, 30, 8, 0, 0), new DateTime(2026, 12, 3, 8, 0, 0), new DateTime(2026, 12, 7, 8, 0, 0)],
            Runs(weekly, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), 4).Select(r => r.DateTime));
    }

    [Fact]
    public void NextRun_MonthlyOnThe31st_RunsOnTheLastDayOfShortMonths()
    {
        var monthly = new ExportSchedule { Recurrence = ExportRecurrence.Monthly, DayOfMonth = 31, Start = new DateTime(2027, 1, 1, 7, 0, 0) };

        Assert.Equal(
            [new DateTime(2027, 1, 31, 7, 0, 0), new DateTime(2027, 2, 28, 7, 0, 0), new DateTime(2027, 3, 31, 7, 0, 0), new DateTime(2027, 4, 30, 7, 0, 0)],
            Runs(monthly, new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero), 4).Select(r => r.UtcDateTime));
    }

    [Fact]
    public void NextRun_MonthlyOnThe29th_FollowsLeapYears()
    {
        var monthly = new ExportSchedule { Recurrence = ExportRecurrence.Monthly, DayOfMonth = 29, Start = new DateTime(2027, 1, 1, 7, 0, 0) };

        Assert.Equal(new DateTimeOffset(2027, 2, 28, 7, 0, 0, TimeSpan.Zero), monthly.NextRun(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 7, 0, 0, TimeSpan.Zero), monthly.NextRun(new DateTimeOffset(2028, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2028, 3, 29, 7, 0, 0, TimeSpan.Zero), monthly.NextRun(new DateTimeOffset(2028, 2, 29, 7, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void NextRun_EndDate_IsTheLastDayIncludedOnTheZonesCalendar()
    {
        // 23:30 in Berlin on the end date is still 22:30 UTC that day; the next day is past the end.
        var daily = new ExportSchedule
        {
            Recurrence = ExportRecurrence.Daily,
            Start = new DateTime(2026, 12, 1, 23, 30, 0),
            EndDate = new DateOnly(2026, 12, 3),
            TimeZone = "Europe/Berlin",
        };

        Assert.Equal(
            [new DateTimeOffset(2026, 12, 1, 22, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 22, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 22, 30, 0, TimeSpan.Zero)],
            Runs(daily, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), 10));
    }

    [Fact]
    public void NextRun_Cron_ReadInTheZoneAndNotBeforeStart()
    {
        // Weekdays at 09:00 New York time; Start is Wednesday 2026-11-25 at noon, so that morning does not count.
        var cron = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 9 * * 1-5", Start = new DateTime(2026, 11, 25, 12, 0, 0), TimeZone = "America/New_York" };

        Assert.Equal(
            [new DateTimeOffset(2026, 11, 26, 9, 0, 0, Est), new DateTimeOffset(2026, 11, 27, 9, 0, 0, Est), new DateTimeOffset(2026, 11, 30, 9, 0, 0, Est)],
            Runs(cron, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), 3));
    }

    [Fact]
    public void NextRun_Cron_StartOnAnOccurrenceIncludesIt_EndDateStopsIt()
    {
        var cron = new ExportSchedule
        {
            Recurrence = ExportRecurrence.Cron,
            Cron = "0 */6 * * *",
            Start = new DateTime(2026, 11, 23, 6, 0, 0),
            EndDate = new DateOnly(2026, 11, 24),
        };

        IReadOnlyList<DateTimeOffset> runs = Runs(cron, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), 20);
        Assert.Equal(7, runs.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero), runs[0]);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 18, 0, 0, TimeSpan.Zero), runs[^1]);
    }

    [Fact]
    public void NextRun_Cron_DailyExpressionAcrossNewYorkTransitions()
    {
        var cron = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "30 1 * * *", Start = new DateTime(2026, 1, 1, 0, 0, 0), TimeZone = "America/New_York" };

        DateTimeOffset fall = cron.NextRun(new DateTimeOffset(2026, 10, 31, 12, 0, 0, Edt))!.Value;
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 1, 30, 0, Edt), fall);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 1, 30, 0, Est), cron.NextRun(fall));

        var twoFifteen = cron with { Cron = "15 2 * * *" };
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 3, 0, 0, Edt), twoFifteen.NextRun(new DateTimeOffset(2026, 3, 7, 12, 0, 0, Est)));
    }

    [Fact]
    public void NextRun_Cron_LeapDayWaitsForALeapYear()
    {
        var cron = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 9 29 2 *", Start = new DateTime(2026, 1, 1, 0, 0, 0) };

        Assert.Equal(new DateTimeOffset(2028, 2, 29, 9, 0, 0, TimeSpan.Zero), cron.NextRun(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void PreviousRun_IsTheLatestOccurrenceAtOrBefore()
    {
        var daily = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 11, 1, 6, 0, 0), EndDate = new DateOnly(2026, 11, 20) };
        var at = new DateTimeOffset(2026, 11, 10, 6, 0, 0, TimeSpan.Zero);

        Assert.Null(daily.PreviousRun(new DateTimeOffset(2026, 11, 1, 5, 59, 0, TimeSpan.Zero)));
        Assert.Equal(at, daily.PreviousRun(at));
        Assert.Equal(at, daily.PreviousRun(at.AddHours(23)));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero), daily.PreviousRun(new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero)));

        var once = new ExportSchedule { Start = new DateTime(2026, 11, 1, 6, 0, 0) };
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero), once.PreviousRun(at));

        var cron = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 9 * * 1", Start = new DateTime(2026, 11, 1, 0, 0, 0), TimeZone = "Europe/Berlin" };
        Assert.Equal(new DateTimeOffset(2026, 11, 9, 9, 0, 0, Cet), cron.PreviousRun(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Null(cron.PreviousRun(new DateTimeOffset(2026, 11, 2, 7, 59, 0, TimeSpan.Zero)));
    }

    public static TheoryData<ExportSchedule> Schedules() => new(
        new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 1, 3, 2, 30, 0), TimeZone = "America/New_York" },
        new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 1, 3, 1, 30, 0), TimeZone = "America/New_York", EndDate = new DateOnly(2027, 3, 1) },
        new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Days = [DayOfWeek.Sunday, DayOfWeek.Wednesday], Start = new DateTime(2026, 2, 1, 2, 30, 0), TimeZone = "Europe/Berlin" },
        new ExportSchedule { Recurrence = ExportRecurrence.Monthly, DayOfMonth = 31, Start = new DateTime(2026, 1, 1, 0, 0, 0), TimeZone = "Europe/Berlin" },
        new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "*/30 1-3 * * 0", Start = new DateTime(2026, 1, 1, 0, 0, 0), TimeZone = "America/New_York" },
        new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 0 L * *", Start = new DateTime(2026, 1, 1, 0, 0, 0), TimeZone = "Asia/Tokyo" });

    [Theory]
    [MemberData(nameof(Schedules))]
    public void NextRunAndPreviousRun_AgreeAtRandomInstantsOverTwoYears(ExportSchedule schedule)
    {
        var random = new Random(6);
        var origin = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < 2000; i++)
        {
            DateTimeOffset at = origin.AddMinutes(random.Next(0, 2 * 366 * 24 * 60));
            DateTimeOffset? previous = schedule.PreviousRun(at);
            DateTimeOffset? next = schedule.NextRun(at);

            Assert.True(next is null || next > at, $"next {next} is not after {at}");
            Assert.True(previous is null || previous <= at, $"previous {previous} is after {at}");
            if (previous is { } p)
            {
                // Nothing is scheduled between the previous run and the instant: the run after the previous one is the next one.
                Assert.Equal(next, schedule.NextRun(p));
            }
        }
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons", null, "unknown time zone \"Mars/Olympus_Mons\"")]
    [InlineData("", null, "unknown time zone \"\"")]
    [InlineData("UTC", "0 9 * *", "the cron expression \"0 9 * *\" is not valid")]
    [InlineData("UTC", "61 * * * *", "the cron expression \"61 * * * *\" is not valid")]
    [InlineData("UTC", " ", "a cron schedule needs an expression")]
    [InlineData("UTC", "0 0 30 2 *", "no delivery ever falls after 2026-01-01 00:00")]
    public void Validate_ZoneAndCron_NameTheProblem(string zone, string? cron, string expected)
    {
        var schedule = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = cron ?? "0 9 * * *", TimeZone = zone, Start = new DateTime(2026, 1, 1) };

        ArgumentException error = Assert.Throws<ArgumentException>(schedule.Validate);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => schedule.NextRun(DateTimeOffset.UnixEpoch));
        Assert.Throws<ArgumentException>(() => schedule.PreviousRun(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Validate_EachRecurrenceChecksItsOwnFields()
    {
        var start = new DateTime(2026, 3, 2, 9, 0, 0);
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Start = start }, "a weekly schedule needs at least one day of the week");
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Start = start, Days = [(DayOfWeek)9] }, "9 is not a day of the week");
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Monthly, Start = start, DayOfMonth = 0 }, "the day of the month 0 is not between 1 and 31");
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Monthly, Start = start, DayOfMonth = 32 }, "the day of the month 32 is not between 1 and 31");
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = start, EndDate = new DateOnly(2026, 3, 1) }, "the end date 2026-03-01 is before the first delivery on 2026-03-02");
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Daily }, "the delivery date and time (start) is not set");
        AssertInvalid(new ExportSchedule { Start = new DateTime(1, 1, 1, 5, 0, 0) }, "is not between the years");
        AssertInvalid(new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = start, EndDate = DateOnly.MaxValue }, "the end date 9999-12-31 is after the year 2400");
        AssertInvalid(new ExportSchedule { Start = start, CancelWindow = TimeSpan.FromMinutes(-1) }, "the cancel window -00:01:00 is negative");
        AssertInvalid(new ExportSchedule { Recurrence = (ExportRecurrence)42, Start = start }, "42 is not a recurrence");

        // Monday 2026-03-02 to Tuesday: no Friday in between.
        AssertInvalid(
            new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Start = start, Days = [DayOfWeek.Friday], EndDate = new DateOnly(2026, 3, 3) },
            "no delivery falls between 2026-03-02 09:00 and the end date 2026-03-03");
    }

    [Fact]
    public void Validate_ListsEveryProblemAtOnce()
    {
        var schedule = new ExportSchedule { Recurrence = ExportRecurrence.Monthly, DayOfMonth = 40, TimeZone = "Nowhere/Land", Start = new DateTime(2026, 3, 2) };

        ArgumentException error = Assert.Throws<ArgumentException>(schedule.Validate);
        Assert.Contains("unknown time zone \"Nowhere/Land\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("the day of the month 40", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AcceptsGoodSchedules()
    {
        new ExportSchedule { Start = new DateTime(2026, 3, 2, 9, 0, 0), TimeZone = "Europe/Berlin" }.Validate();
        new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 3, 2, 9, 0, 0), EndDate = new DateOnly(2026, 3, 2) }.Validate();
        new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "*/15 8-18 * * MON-FRI", Start = new DateTime(2026, 3, 2), TimeZone = "America/New_York" }.Validate();
        new ExportSchedule { Start = new DateTime(2026, 3, 2), CancelWindow = TimeSpan.Zero, EndDate = new DateOnly(2020, 1, 1) }.Validate();
    }

    private static void AssertInvalid(ExportSchedule schedule, string expected)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(schedule.Validate);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static List<DateTimeOffset> Runs(ExportSchedule schedule, DateTimeOffset after, int max)
    {
        var runs = new List<DateTimeOffset>();
        while (runs.Count < max && schedule.NextRun(after) is { } next)
        {
            runs.Add(next);
            after = next;
        }

        return runs;
    }
}
