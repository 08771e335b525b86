namespace Onboarding.Engine.Sftp;

/// <summary>Why an SFTP operation failed; <see cref="IsTransient"/> says whether retrying later may help.</summary>
public enum SftpFailureKind
{
    /// <summary>Network, timeout, dropped connection, server busy: retried with backoff.</summary>
    Connection,

    /// <summary>The server's host key is not the pinned one: nothing is sent or downloaded.</summary>
    HostKeyMismatch,

    /// <summary>The user, password, key or passphrase was refused.</summary>
    Authentication,

    /// <summary>The remote folder is missing or not accessible, or the server refused an operation.</summary>
    Remote,

    /// <summary>A name in the listing would escape the folder or is otherwise unsafe.</summary>
    UnsafeName,
}

public class SftpException(SftpFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public SftpFailureKind Kind { get; } = kind;

    public bool IsTransient => Kind is SftpFailureKind.Connection or SftpFailureKind.Remote;
}

/// <summary>The server presented a host key other than the pinned one; the connection was refused.</summary>
public sealed class HostKeyMismatchException(string endpoint, string expected, string presented, string keyType)
    : SftpException(
        SftpFailureKind.HostKeyMismatch,
        $"Host key of {endpoint} does not match the pinned fingerprint: expected SHA256:{expected}, presented SHA256:{presented} ({keyType}). " +
        "The connection was refused and nothing was transferred. If the server's key was changed on purpose, confirm the new fingerprint " +
        "with its operator and update the pin.")
{
    public string Expected { get; } = expected;

    public string Presented { get; } = presented;
}
