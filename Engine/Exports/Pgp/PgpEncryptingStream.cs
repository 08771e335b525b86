using Onboarding.Engine.IO;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace Onboarding.Engine.Exports.Pgp;

/// <summary>
/// A write-only stream that OpenPGP-encrypts what is written to it (BouncyCastle): AES-256 with integrity protection
/// (MDC), one public-key session packet per recipient so each can decrypt, binary packets with partial lengths so
/// nothing is buffered beyond 64 KiB. Disposing it finishes the message (literal packet, MDC); the output stays open.
/// </summary>
internal sealed class PgpEncryptingStream : WriteOnlyStream
{
    private const int BufferSize = 1 << 16;

    private readonly PgpEncryptedDataGenerator _generator;
    private readonly Stream _encrypted;
    private readonly Stream _literal;
    private bool _disposed;

    public PgpEncryptingStream(Stream output, IEnumerable<PgpPublicKey> recipients, string fileName, DateTime modifiedUtc)
    {
        _generator = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, withIntegrityPacket: true, new SecureRandom());
        foreach (PgpPublicKey key in recipients)
        {
            _generator.AddMethod(key);
        }

        _encrypted = _generator.Open(new CountingStream(output), new byte[BufferSize]); // BouncyCastle closes what it writes to
        _literal = new PgpLiteralDataGenerator().Open(_encrypted, PgpLiteralData.Binary, fileName, modifiedUtc, new byte[BufferSize]);
    }

    public override bool CanWrite => !_disposed;

    public override void Write(ReadOnlySpan<byte> buffer) => _literal.Write(buffer);

    public override void Flush() => _literal.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _literal.Dispose();
            _encrypted.Dispose();
        }

        base.Dispose(disposing);
    }
}
