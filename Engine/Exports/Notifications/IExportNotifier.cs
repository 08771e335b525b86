namespace Onboarding.Engine.Exports.Notifications;

/// <summary>Tells an export's notification list how a run ended.</summary>
public interface IExportNotifier
{
    /// <summary>Never throws for a delivery problem: the result says what happened, for the run's history.</summary>
    Task<ExportNotificationResult> NotifyAsync(ExportNotification notification, CancellationToken cancellation);
}

/// <summary>What became of a notification.</summary>
public enum NotificationDelivery
{
    /// <summary>The SMTP server accepted the message for every recipient.</summary>
    Sent,

    /// <summary>No SMTP server is configured: the notification is only in the log and the run's history.</summary>
    NotConfigured,

    /// <summary>The export has no notification addresses.</summary>
    NoRecipients,

    /// <summary>The SMTP server could not be reached or refused the message.</summary>
    Failed,
}

/// <summary>What became of a notification, with a sentence for the run's history ("sent to ...", "recorded, not sent: ...").</summary>
public sealed record ExportNotificationResult(NotificationDelivery Delivery, string Detail);
