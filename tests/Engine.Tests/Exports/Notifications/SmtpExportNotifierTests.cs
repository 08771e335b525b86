using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;
using Onboarding.Engine.Exports.Notifications;

namespace Onboarding.Engine.Tests.Exports.Notifications;

/// <summary>Notifications through a real SMTP server (Postfix's smtp-sink) on 127.0.0.1.</summary>
public sealed class SmtpExportNotifierTests : IDisposable
{
    private readonly SmtpSinkPeer _sink = new();

    [Fact]
    public async Task Complete_IsOneMessageToEveryRecipient_WithTheSubjectAndBody()
    {
        var notifier = new SmtpExportNotifier(Options(_sink.Port));

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete("ops@acme.example", "data@partner.example"), default);

        Assert.Equal(NotificationDelivery.Sent, result.Delivery);
        Assert.Equal("sent to ops@acme.example, data@partner.example", result.Detail);
        string raw = Assert.Single(_sink.WaitForMessages(1));
        Assert.Contains("X-Mail-Args: <exports@onboarding.example>", raw, StringComparison.Ordinal);
        Assert.Contains("X-Rcpt-Args: <ops@acme.example>", raw, StringComparison.Ordinal);
        Assert.Contains("X-Rcpt-Args: <data@partner.example>", raw, StringComparison.Ordinal);

        MimeMessage message = Parse(raw);
        Assert.Equal("[Onboarding] export gold-weekly complete: 125000 rows", message.Subject);
        Assert.Equal("exports@onboarding.example", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal(["ops@acme.example", "data@partner.example"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("text/plain", Assert.IsType<TextPart>(message.Body).ContentType.MimeType);
        Assert.Contains("Rows:        125000", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("File:        Gold golfers_20261123_0600.csv.pgp", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_CarriesTheError()
    {
        var notifier = new SmtpExportNotifier(Options(_sink.Port));
        ExportNotification failed = ExportNotificationTests.Complete("ops@acme.example") with
        {
            Status = ExportNotificationStatus.Failed,
            Rows = 0,
            Error = "Permission denied: /upload is read-only",
        };

        Assert.Equal(NotificationDelivery.Sent, (await notifier.NotifyAsync(failed, default)).Delivery);

        MimeMessage message = Parse(Assert.Single(_sink.WaitForMessages(1)));
        Assert.Equal("[Onboarding] export gold-weekly failed: Permission denied: /upload is read-only", message.Subject);
        Assert.Contains("Status:      failed", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Error:       Permission denied: /upload is read-only", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerRefusingRecipients_IsAFailedDeliveryWithTheServersReply()
    {
        using var refusing = new SmtpSinkPeer("-f", "RCPT");
        var notifier = new SmtpExportNotifier(Options(refusing.Port));

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete("ops@acme.example"), default);

        Assert.Equal(NotificationDelivery.Failed, result.Delivery);
        Assert.StartsWith($"not sent: SMTP server 127.0.0.1:{refusing.Port} (None): ", result.Detail, StringComparison.Ordinal);
        Assert.Contains("Error: command failed", result.Detail, StringComparison.Ordinal);
        Assert.Empty(refusing.Messages());
    }

    [Fact]
    public async Task StartTlsRequired_ServerWithoutIt_SendsNothingInPlainText()
    {
        var notifier = new SmtpExportNotifier(new SmtpOptions { Host = SmtpSinkPeer.Host, Port = _sink.Port, Tls = SmtpTlsMode.StartTls, From = "exports@onboarding.example" });

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete("ops@acme.example"), default);

        Assert.Equal(NotificationDelivery.Failed, result.Delivery);
        Assert.Contains("STARTTLS", result.Detail, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.Empty(_sink.Messages());
    }

    [Fact]
    public async Task NoServerListening_IsAFailedDelivery_NotAnException()
    {
        int port = ClosedPort();
        var notifier = new SmtpExportNotifier(Options(port));

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete("ops@acme.example"), default);

        Assert.Equal(NotificationDelivery.Failed, result.Delivery);
        Assert.StartsWith($"not sent: SMTP server 127.0.0.1:{port} (None): ", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoServerConfigured_IsRecordedNotSent()
    {
        var notifier = new SmtpExportNotifier(new SmtpOptions());

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete("ops@acme.example"), default);

        Assert.Equal(new ExportNotificationResult(NotificationDelivery.NotConfigured, "recorded, not sent: no SMTP server is configured"), result);
    }

    [Fact]
    public async Task NoRecipients_SendsNothing()
    {
        var notifier = new SmtpExportNotifier(Options(_sink.Port));

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete(), default);

        Assert.Equal(NotificationDelivery.NoRecipients, result.Delivery);
        await Task.Delay(200);
        Assert.Empty(_sink.Messages());
    }

    [Fact]
    public async Task BadRecipient_IsAFailedDeliveryNamingIt()
    {
        var notifier = new SmtpExportNotifier(Options(_sink.Port));

        ExportNotificationResult result = await notifier.NotifyAsync(ExportNotificationTests.Complete("ops@acme.example", "ops at acme"), default);

        Assert.Equal(NotificationDelivery.Failed, result.Delivery);
        Assert.Contains("\"ops at acme\" in the notification addresses is not an e-mail address", result.Detail, StringComparison.Ordinal);
    }

    public void Dispose() => _sink.Dispose();

    private static SmtpOptions Options(int port) => new()
    {
        Host = SmtpSinkPeer.Host,
        Port = port,
        Tls = SmtpTlsMode.None,
        From = "exports@onboarding.example",
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static MimeMessage Parse(string raw)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(raw));
        return MimeMessage.Load(stream);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
