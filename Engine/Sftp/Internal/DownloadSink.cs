using System.Security.Cryptography;
using Onboarding.Engine.IO;

namespace Onboarding.Engine.Sftp.Internal;

/// <summary>A write-only stream in front of the local temp file: counts, hashes (SHA-256) and stops on cancellation.</summary>
internal sealed class DownloadSink(Stream inner, CancellationToken cancellation, Action<long>? progress) : WriteOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Written { get; private set; }

    public override long Length => Written;

    public override long Position { get => Written; set => throw new NotSupportedException(); }

    public string Sha256Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        cancellation.ThrowIfCancellationRequested();
        inner.Write(buffer);
        _hash.AppendData(buffer);
        Written += buffer.Length;
        progress?.Invoke(Written);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
