using System.Globalization;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Clients;

namespace Onboarding.Watcher.Hosting;

/// <summary>
/// What the watcher services need, read by <see cref="Configuration.OnboardConfiguration"/> (section <c>Onboard</c>) and the command line. Holds the
/// PGP passphrase: <see cref="ToString"/> hides it, and nothing logs these options whole.
/// </summary>
public sealed class WatcherOptions
{
    public const string PgpPassphraseVariable = "ONBOARD_PGP_PASSPHRASE";

    public const string PgpKeyVariable = "ONBOARD_PGP_KEY";

    /// <summary>The data folder (only used when no <c>DataFolder</c> is registered already).</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>Whether to watch the local and SFTP inboxes (the TUI's <c>--no-watch</c> turns it off).</summary>
    public bool WatchInboxes { get; set; } = true;

    public LocalInboxOptions Inbox { get; set; } = new();

    public InboundDecoderOptions Decoding { get; set; } = new();

    public InboxProcessorOptions Processing { get; set; } = new();

    /// <summary>Every client's ingestion and export thresholds (<c>Onboard:Thresholds</c>, <c>Onboard:Clients:&lt;client&gt;</c>).</summary>
    public ClientPolicies Clients { get; set; } = new();

    public AudienceProcessingOptions AudienceProcessing { get; set; } = new();

    /// <summary>The SMTP server export notifications go through (<c>Onboard:Smtp</c>); without a host they are only logged and kept in the run's history.</summary>
    public SmtpOptions Smtp { get; set; } = new();

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"DataPath={DataPath}, Inbox={Inbox.Path}, Settle={Inbox.SettlePeriod}, Rescan={Inbox.RescanInterval}, {Decoding}");
}
