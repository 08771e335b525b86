using System.Diagnostics.CodeAnalysis;

namespace Onboarding.Engine.Exports.Notifications;

/// <summary>How the connection to the SMTP server is protected.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text (a relay on the same host or a trusted network only).</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS, which the server must offer (port 587 by default).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465 by default).</summary>
    Ssl,
}

/// <summary>The SMTP server export notifications go through. Without a <see cref="Host"/> nothing is sent.</summary>
/// <remarks>A class rather than a record so that the password never appears in a generated ToString.</remarks>
public sealed class SmtpOptions
{
    public string? Host { get; init; }

    /// <summary>0 means the usual port of <see cref="Tls"/>: 25, 587 or 465.</summary>
    public int Port { get; init; }

    public SmtpTlsMode Tls { get; init; } = SmtpTlsMode.StartTls;

    /// <summary>The sender address of every notification.</summary>
    public string From { get; init; } = "onboarding@localhost";

    /// <summary>The login, when the server requires one.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    [MemberNotNullWhen(true, nameof(Host))]
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public int EffectivePort => Port != 0 ? Port : Tls switch
    {
        SmtpTlsMode.Ssl => 465,
        SmtpTlsMode.StartTls => 587,
        _ => 25,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (!IsConfigured)
        {
            return;
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"SMTP port {Port} is not between 1 and 65535 (0 = the usual port of the TLS mode).");
        }

        if (!Enum.IsDefined(Tls))
        {
            throw new ArgumentException($"SMTP TLS mode {(int)Tls} is not one of none, starttls or ssl.");
        }

        EmailAddresses.Parse(From, "SMTP sender (from)");
        if (string.IsNullOrEmpty(User) != string.IsNullOrEmpty(Password))
        {
            throw new ArgumentException("SMTP user and password go together: give both or neither.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"SMTP timeout {Timeout} is not positive.");
        }
    }

    public override string ToString() => IsConfigured ? $"{Host}:{EffectivePort} ({Tls})" : "no SMTP server";
}
