using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Onboarding.Engine.Exports.Notifications;

/// <summary>
/// Sends export notifications as plain-text e-mail through the configured SMTP server (MailKit), one message per run
/// with every recipient on it. Without a server configured the notification is logged and reported as recorded, not sent.
/// </summary>
public sealed class SmtpExportNotifier : IExportNotifier
{
    private readonly SmtpOptions _options;
    private readonly ILogger _logger;

    /// <exception cref="ArgumentException">The options are not valid (<see cref="SmtpOptions.Validate"/>).</exception>
    public SmtpExportNotifier(SmtpOptions options, ILogger? logger = null)
    {
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    public async Task<ExportNotificationResult> NotifyAsync(ExportNotification notification, CancellationToken cancellation)
    {
        if (notification.Recipients.Count == 0)
        {
            return new(NotificationDelivery.NoRecipients, "not sent: the export has no notification addresses");
        }

        if (!_options.IsConfigured)
        {
            _logger.LogInformation(
                "Export {Export} ({Client}) notification for {Recipients} recorded, not sent (no SMTP server is configured): {Subject}",
                notification.ExportName, notification.Client, string.Join(", ", notification.Recipients), notification.Subject());
            return new(NotificationDelivery.NotConfigured, "recorded, not sent: no SMTP server is configured");
        }

        try
        {
            using MimeMessage message = Compose(notification);
            using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
            await client.ConnectAsync(_options.Host, _options.EffectivePort, SocketOptions(_options.Tls), cancellation).ConfigureAwait(false);
            if (_options is { User: { Length: > 0 } user, Password: { } password })
            {
                await client.AuthenticateAsync(user, password, cancellation).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellation).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // a notification that cannot go out must not fail the run: the result says why
        catch (Exception ex)
#pragma warning restore CA1031
        {
            string detail = $"not sent: SMTP server {_options}: {ex.Message}";
            _logger.LogWarning(ex, "Export {Export} ({Client}) notification {Detail}", notification.ExportName, notification.Client, detail);
            return new(NotificationDelivery.Failed, detail);
        }

        string sent = $"sent to {string.Join(", ", notification.Recipients)}";
        _logger.LogInformation("Export {Export} ({Client}) notification {Detail}", notification.ExportName, notification.Client, sent);
        return new(NotificationDelivery.Sent, sent);
    }

    private MimeMessage Compose(ExportNotification notification)
    {
        var message = new MimeMessage { Subject = notification.Subject(), Body = new TextPart("plain") { Text = notification.Body() } };
        message.From.Add(MailboxAddress.Parse(_options.From));
        foreach (string recipient in notification.Recipients)
        {
            message.To.Add(MailboxAddress.Parse(EmailAddresses.Normalize(recipient)));
        }

        return message;
    }

    private static SecureSocketOptions SocketOptions(SmtpTlsMode mode) => mode switch
    {
        SmtpTlsMode.Ssl => SecureSocketOptions.SslOnConnect,
        SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };
}
