using System.Text.Json.Serialization;
using Onboarding.Engine.Security;

namespace Onboarding.Engine.Sftp;

/// <summary>
/// Where and how to reach an SFTP server: host, port, user, a password or a private key (with an optional
/// passphrase) kept only as <see cref="ProtectedSecret"/>s, the remote folder, and the server's pinned host-key
/// SHA-256 fingerprint. The pin is required: there is no "trust any host key" mode.
/// </summary>
public sealed record SftpEndpoint
{
    public required string Host { get; init; }

    public int Port { get; init; } = 22;

    public required string User { get; init; }

    public ProtectedSecret? Password { get; init; }

    /// <summary>The private key file's content (OpenSSH or PEM), encrypted.</summary>
    public ProtectedSecret? PrivateKey { get; init; }

    public ProtectedSecret? Passphrase { get; init; }

    public required string RemoteFolder { get; init; }

    /// <summary>Unpadded base64 SHA-256 of the host key, as <c>ssh-keygen -l -E sha256</c> prints it after <c>SHA256:</c>.</summary>
    public required string HostKeyFingerprint { get; init; }

    [JsonIgnore]
    public string Authentication => PrivateKey is null ? "password" : Passphrase is null ? "key" : "key+passphrase";

    /// <summary>user@host:port/folder, for messages (no secret).</summary>
    [JsonIgnore]
    public string Display => $"{User}@{Host}:{Port}{(RemoteFolder.StartsWith('/') ? string.Empty : "/")}{RemoteFolder}";

    /// <summary>
    /// This endpoint with every secret re-encrypted under the protector's current key; <paramref name="count"/> grows
    /// by how many were under an older one. <paramref name="scope"/> is the context the secrets were protected in.
    /// </summary>
    public SftpEndpoint Reprotected(SecretProtector protector, string scope, ref int count)
    {
        int reprotected = 0;
        SftpEndpoint updated = this with
        {
            Password = Reprotect(Password, "/password"),
            PrivateKey = Reprotect(PrivateKey, "/private-key"),
            Passphrase = Reprotect(Passphrase, "/passphrase"),
        };
        count += reprotected;
        return updated;

        ProtectedSecret? Reprotect(ProtectedSecret? value, string name)
        {
            if (value is null || protector.IsCurrent(value))
            {
                return value;
            }

            reprotected++;
            return protector.Reprotect(value, scope + name);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first thing wrong.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host) || Host.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("The SFTP host is empty or contains spaces.");
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"The SFTP port {Port} is not between 1 and 65535.");
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            throw new ArgumentException("The SFTP user is empty.");
        }

        if ((Password is null) == (PrivateKey is null))
        {
            throw new ArgumentException("An SFTP endpoint needs exactly one of a password or a private key.");
        }

        if (Passphrase is not null && PrivateKey is null)
        {
            throw new ArgumentException("A passphrase is only meaningful with a private key.");
        }

        if (string.IsNullOrWhiteSpace(RemoteFolder) || RemoteFolder.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The remote folder is empty or not a valid path.");
        }

        _ = NormalizeFingerprint(HostKeyFingerprint);
    }

    /// <summary>
    /// Accepts <c>SHA256:xxxx</c> or <c>xxxx</c> (padded or not) and returns the unpadded base64 form SSH.NET reports;
    /// anything that is not the base64 of a 32-byte digest is refused (an MD5 fingerprint, a typo).
    /// </summary>
    public static string NormalizeFingerprint(string text)
    {
        string value = (text ?? string.Empty).Trim();
        if (value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..];
        }

        value = value.TrimEnd('=');
        Span<byte> digest = stackalloc byte[33];
        if (value.Length != 43 || !Convert.TryFromBase64String(value + "=", digest, out int written) || written != 32)
        {
            throw new ArgumentException(
                $"\"{text}\" is not a SHA-256 host-key fingerprint. Get it from the server's operator or with " +
                "`ssh-keyscan -p PORT HOST | ssh-keygen -l -E sha256 -f -` (check it out of band), e.g. SHA256:uJ2S0c…");
        }

        return value;
    }
}
