namespace Onboarding.Engine.Sftp;

/// <summary>An entry of a remote listing.</summary>
public sealed record RemoteEntry(string Name, long Size, DateTime LastWriteUtc, bool IsRegularFile, bool IsDirectory, bool IsSymbolicLink);

/// <summary>
/// The SFTP operations the inbox poller uses, over one authenticated connection. <see cref="SftpClientSession"/>
/// is the real one; tests substitute listings a real server would never send.
/// </summary>
public interface ISftpSession : IDisposable
{
    Task<IReadOnlyList<RemoteEntry>> ListAsync(string folder, CancellationToken cancellation);

    /// <summary>Attributes of one path, or null when it does not exist.</summary>
    Task<RemoteEntry?> StatAsync(string path, CancellationToken cancellation);

    Task DownloadAsync(string path, Stream destination, CancellationToken cancellation);

    /// <summary>Renames with POSIX semantics (replaces an existing target atomically).</summary>
    Task RenameAsync(string from, string to, CancellationToken cancellation);

    Task DeleteAsync(string path, CancellationToken cancellation);

    Task CreateFolderAsync(string path, CancellationToken cancellation);
}

/// <summary>Opens sessions to an inbox's server (the real connector, or a test double).</summary>
public interface ISftpSessionFactory
{
    Task<ISftpSession> OpenAsync(SftpEndpoint endpoint, string secretScope, CancellationToken cancellation);
}
