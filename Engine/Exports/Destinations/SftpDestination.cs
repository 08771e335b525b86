using System.Net.Sockets;
using Onboarding.Engine.IO;
using Onboarding.Engine.Sftp;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Onboarding.Engine.Exports.Destinations;

/// <summary>
/// A folder on an SFTP server, reached through <see cref="SftpConnector"/> (pinned host key). The file is uploaded
/// under its temporary name, closed, then renamed with the POSIX rename extension, which replaces an existing file
/// atomically (a plain SFTP rename onto an existing file fails).
/// </summary>
public sealed class SftpDestination(SftpConnector connector, SftpEndpoint endpoint, string secretScope) : IExportDestination
{
    public string Display => $"sftp://{endpoint.Display}";

    public async Task<DeliveryTarget> OpenAsync(string fileName, string temporaryName, CancellationToken cancellation)
    {
        SftpClient client = await connector.ConnectAsync(endpoint, secretScope, cancellation).ConfigureAwait(false);
        string temporary = RemotePath(temporaryName);
        try
        {
            Stream stream = client.Open(temporary, FileMode.CreateNew, FileAccess.Write);
            return new Target(this, client, fileName, temporaryName, stream);
        }
        catch (Exception ex) when (ex is SshException or IOException)
        {
            client.Dispose();
            throw Failure($"create {temporary}", ex);
        }
    }

    public async Task DeleteIfExistsAsync(string name, CancellationToken cancellation)
    {
        using SftpClient client = await connector.ConnectAsync(endpoint, secretScope, cancellation).ConfigureAwait(false);
        try
        {
            await client.DeleteFileAsync(RemotePath(name), cancellation).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            // Already gone.
        }
    }

    private string RemotePath(string name) => endpoint.RemoteFolder.TrimEnd('/') + "/" + name;

    /// <summary>A write or the final flush of an upload failed: says whether the connection dropped, and which file it was.</summary>
    private DeliveryException UploadFailure(string temporaryName, Exception ex) => ex is SshConnectionException or SocketException or ObjectDisposedException
        ? new DeliveryException($"{Display}: connection lost while uploading {RemotePath(temporaryName)}: {ex.Message}", ex)
        : Failure($"write {RemotePath(temporaryName)}", ex);

    private DeliveryException Failure(string what, Exception ex)
    {
        string reason = ex switch
        {
            SftpPermissionDeniedException => $"permission denied by the server ({ex.Message})",
            SftpPathNotFoundException => $"no such file or folder ({ex.Message})",
            _ => ex.Message,
        };
        return new DeliveryException($"{Display}: cannot {what}: {reason}", ex);
    }

    private sealed class Target(SftpDestination destination, SftpClient client, string fileName, string temporaryName, Stream stream)
        : DeliveryTarget(fileName, temporaryName)
    {
        private readonly UploadStream _content = new(stream, ex => destination.UploadFailure(temporaryName, ex));
        private bool _closed;

        public override Stream Content => _content;

        protected override Task CommitCoreAsync(CancellationToken cancellation)
        {
            string from = destination.RemotePath(TemporaryName);
            string to = destination.RemotePath(FileName);
            try
            {
                // Closing flushes the last writes and waits for the server to acknowledge them.
                stream.Dispose();
                _closed = true;
            }
            catch (Exception ex) when (ex is SshException or IOException or SocketException or ObjectDisposedException)
            {
                throw destination.UploadFailure(TemporaryName, ex);
            }

            try
            {
                cancellation.ThrowIfCancellationRequested();
                client.RenameFile(from, to, isPosix: true);
            }
            catch (Exception ex) when (ex is SshException or IOException)
            {
                throw destination.Failure($"rename {from} to {to}", ex);
            }

            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                if (!_closed)
                {
                    stream.Dispose();
                }

                if (!Committed && client.IsConnected)
                {
                    await client.DeleteFileAsync(destination.RemotePath(TemporaryName), CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is SshException or IOException or ObjectDisposedException)
            {
                // Hidden .part name: never taken for a delivered file; the next run of the export removes it.
            }
            finally
            {
                client.Dispose();
            }
        }
    }

    /// <summary>The upload's content stream, whose write failures say which upload failed and why (SSH.NET's own say neither).</summary>
    private sealed class UploadStream(Stream inner, Func<Exception, DeliveryException> failure) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                inner.Write(buffer);
            }
            catch (Exception ex) when (ex is SshException or IOException or SocketException or ObjectDisposedException)
            {
                throw failure(ex);
            }
        }

        public override void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (Exception ex) when (ex is SshException or IOException or SocketException or ObjectDisposedException)
            {
                throw failure(ex);
            }
        }
    }
}
