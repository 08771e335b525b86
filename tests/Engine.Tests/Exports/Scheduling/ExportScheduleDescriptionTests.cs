using Onboarding.Engine.Exports.Scheduling;

namespace Onboarding.Engine.Tests.Exports.Scheduling;

public class ExportScheduleDescriptionTests
{
    [Fact]
    public void Describe_SaysWhenItRuns()
    {
        var start = new DateTime(2026, 11, 25, 8, 0, 0);
        Assert.Equal("once on 2026-11-25 at 08:00 UTC", new ExportSchedule { Start = start }.Describe());
        Assert.Equal(
            "daily at 08:00 Europe/Berlin from 2026-11-25 until 2026-12-31",
            new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = start, TimeZone = "Europe/Berlin", EndDate = new DateOnly(2026, 12, 31) }.Describe());
        Assert.Equal(
            "weekly on Mon, Thu at 08:00 UTC from 2026-11-25",
            new ExportSchedule { Recurrence = ExportRecurrence.Weekly, Start = start, Days = [DayOfWeek.Thursday, DayOfWeek.Monday] }.Describe());
        Assert.Equal(
            "monthly on day 31 (or the month's last day) at 08:00 UTC from 2026-11-25",
            new ExportSchedule { Recurrence = ExportRecurrence.Monthly, Start = start, DayOfMonth = 31 }.Describe());
        Assert.Equal(
            "cron \"0 9 * * 1-5\" America/New_York from 2026-11-25 08:00",
            new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "0 9 * * 1-5", Start = start, TimeZone = "America/New_York" }.Describe());
    }
}
