using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace Onboarding.Engine.Sftp;

/// <summary>An <see cref="ISftpSession"/> over a connected SSH.NET client; SSH.NET errors become <see cref="SftpException"/>s.</summary>
public sealed class SftpClientSession(SftpClient client, string display) : ISftpSession
{
    public SftpClient Client => client;

    public Task<IReadOnlyList<RemoteEntry>> ListAsync(string folder, CancellationToken cancellation) =>
        Guard($"list {folder}", async () =>
        {
            var entries = new List<RemoteEntry>();
            await foreach (ISftpFile file in client.ListDirectoryAsync(folder, cancellation).ConfigureAwait(false))
            {
                entries.Add(new RemoteEntry(file.Name, file.Length, file.LastWriteTimeUtc, file.IsRegularFile, file.IsDirectory, file.IsSymbolicLink));
            }

            return (IReadOnlyList<RemoteEntry>)entries;
        });

    public Task<RemoteEntry?> StatAsync(string path, CancellationToken cancellation) =>
        Guard($"stat {path}", async () =>
        {
            try
            {
                SftpFileAttributes a = await client.GetAttributesAsync(path, cancellation).ConfigureAwait(false);
                return (RemoteEntry?)new RemoteEntry(Path.GetFileName(path), a.Size, a.LastWriteTimeUtc, a.IsRegularFile, a.IsDirectory, a.IsSymbolicLink);
            }
            catch (SftpPathNotFoundException)
            {
                return null;
            }
        });

    public Task DownloadAsync(string path, Stream destination, CancellationToken cancellation) =>
        Guard($"download {path}", async () =>
        {
            await client.DownloadFileAsync(path, destination, cancellation).ConfigureAwait(false);
            return true;
        });

    public Task RenameAsync(string from, string to, CancellationToken cancellation) =>
        Guard($"rename {from} to {to}", () =>
        {
            cancellation.ThrowIfCancellationRequested();
            client.RenameFile(from, to, isPosix: true);
            return Task.FromResult(true);
        });

    public Task DeleteAsync(string path, CancellationToken cancellation) =>
        Guard($"delete {path}", async () =>
        {
            await client.DeleteFileAsync(path, cancellation).ConfigureAwait(false);
            return true;
        });

    public Task CreateFolderAsync(string path, CancellationToken cancellation) =>
        Guard($"create folder {path}", async () =>
        {
            await client.CreateDirectoryAsync(path, cancellation).ConfigureAwait(false);
            return true;
        });

    public void Dispose()
    {
        try
        {
            if (client.IsConnected)
            {
                client.Disconnect();
            }
        }
        catch (Exception ex) when (ex is SshException or SocketException or IOException or ObjectDisposedException)
        {
            // The connection is already gone.
        }

        client.Dispose();
    }

    private async Task<T> Guard<T>(string what, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new SftpException(SftpFailureKind.Remote, $"{display}: cannot {what}: no such file or folder", ex);
        }
        catch (SftpPermissionDeniedException ex)
        {
            throw new SftpException(SftpFailureKind.Remote, $"{display}: cannot {what}: permission denied", ex);
        }
        catch (Exception ex) when (ex is SshConnectionException or SocketException or SshOperationTimeoutException or TimeoutException or IOException or ObjectDisposedException)
        {
            throw new SftpException(SftpFailureKind.Connection, $"{display}: connection lost during {what}: {ex.Message}", ex);
        }
        catch (SshException ex)
        {
            throw new SftpException(SftpFailureKind.Remote, $"{display}: cannot {what}: {ex.Message}", ex);
        }
    }
}
