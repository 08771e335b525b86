using System.Diagnostics;

namespace Onboarding.Engine.Security;

/// <summary>
/// A plaintext secret (a password, a private key, a passphrase) held in memory only while it is needed.
/// Its <see cref="ToString"/> never shows the value, so a secret that reaches a log line or an exception
/// message reads <c>••••••(set)</c>; the value is only available through <see cref="Reveal"/>.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class Secret
{
    /// <summary>What every secret prints as.</summary>
    public const string Masked = "••••••(set)";

    private readonly string _value;

    public Secret(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary>The plaintext. Call it only where the value is handed to the library that needs it.</summary>
    public string Reveal() => _value;

    public override string ToString() => Masked;
}
