using Onboarding.Engine.Exports.Notifications;

namespace Onboarding.Engine.Tests.Exports.Notifications;

public class ExportNotificationTests
{
    internal static ExportNotification Complete(params string[] recipients) => new()
    {
        Client = "acme",
        ExportName = "gold-weekly",
        Audience = "Gold golfers",
        Status = ExportNotificationStatus.Complete,
        Rows = 125000,
        Bytes = 8_765_432,
        FileName = "Gold golfers_20261123_0600.csv.pgp",
        Destination = "partner-sftp",
        Started = new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.FromHours(1)),
        Ended = new DateTimeOffset(2026, 11, 23, 6, 1, 5, TimeSpan.FromHours(1)),
        Recipients = recipients,
    };

    [Fact]
    public void Subject_Complete_GivesTheRows()
    {
        Assert.Equal("[Onboarding] export gold-weekly complete: 125000 rows", Complete().Subject());
    }

    [Fact]
    public void Subject_Failed_GivesTheErrorOnOneShortLine()
    {
        ExportNotification failed = Complete() with
        {
            Status = ExportNotificationStatus.Failed,
            Error = "SFTP write refused:\r\nPermission denied\n" + new string('x', 300),
        };

        string subject = failed.Subject();
        Assert.StartsWith("[Onboarding] export gold-weekly failed: SFTP write refused: Permission denied xxx", subject, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', subject);
        Assert.DoesNotContain('\r', subject);
        Assert.True(subject.Length < 170, subject);
        Assert.EndsWith("…", subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Body_ListsEveryField()
    {
        string body = (Complete() with { Status = ExportNotificationStatus.Failed, Error = "disk full" }).Body();

        Assert.Contains("Export:      gold-weekly (client acme)\n", body, StringComparison.Ordinal);
        Assert.Contains("Audience:    Gold golfers\n", body, StringComparison.Ordinal);
        Assert.Contains("Status:      failed\n", body, StringComparison.Ordinal);
        Assert.Contains("Rows:        125000\n", body, StringComparison.Ordinal);
        Assert.Contains("Bytes:       8765432\n", body, StringComparison.Ordinal);
        Assert.Contains("File:        Gold golfers_20261123_0600.csv.pgp\n", body, StringComparison.Ordinal);
        Assert.Contains("Destination: partner-sftp\n", body, StringComparison.Ordinal);
        Assert.Contains("Started:     2026-11-23 06:00:00 +01:00\n", body, StringComparison.Ordinal);
        Assert.Contains("Ended:       2026-11-23 06:01:05 +01:00\n", body, StringComparison.Ordinal);
        Assert.Contains("Duration:    00:01:05\n", body, StringComparison.Ordinal);
        Assert.Contains("Error:       disk full\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Error:", Complete().Body(), StringComparison.Ordinal);
    }

    [Fact]
    public void EmailAddresses_ParseACommaSeparatedList_AndNameABadAddress()
    {
        Assert.Equal(["ops@acme.example", "data@partner.example"], EmailAddresses.Parse(" ops@acme.example, data@partner.example ;"));
        Assert.Empty(EmailAddresses.Parse(""));

        ArgumentException error = Assert.Throws<ArgumentException>(() => EmailAddresses.Parse("ops@acme.example, not-an-address"));
        Assert.Equal("\"not-an-address\" in the notification addresses is not an e-mail address (expected name@domain).", error.Message);
        Assert.Throws<ArgumentException>(() => EmailAddresses.Parse("Ops <ops@acme.example>"));
        Assert.Throws<ArgumentException>(() => EmailAddresses.Parse("ops@"));
        Assert.Throws<ArgumentException>(() => EmailAddresses.Parse("@acme.example"));
    }

    [Fact]
    public void SmtpOptions_Validate_NamesTheWrongSetting()
    {
        new SmtpOptions().Validate(); // not configured: nothing to check
        new SmtpOptions { Host = "mail.example", From = "exports@acme.example" }.Validate();

        Assert.Contains("port 70000", Assert.Throws<ArgumentException>(() => new SmtpOptions { Host = "h", Port = 70000 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("SMTP sender (from)", Assert.Throws<ArgumentException>(() => new SmtpOptions { Host = "h", From = "nobody" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("user and password go together", Assert.Throws<ArgumentException>(() => new SmtpOptions { Host = "h", User = "u" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Equal(587, new SmtpOptions { Host = "h" }.EffectivePort);
        Assert.Equal(465, new SmtpOptions { Host = "h", Tls = SmtpTlsMode.Ssl }.EffectivePort);
        Assert.Equal(2525, new SmtpOptions { Host = "h", Port = 2525, Tls = SmtpTlsMode.None }.EffectivePort);
        Assert.DoesNotContain("secret", new SmtpOptions { Host = "h", User = "u", Password = "secret" }.ToString(), StringComparison.Ordinal);
    }
}
