using System.Globalization;
using System.IO.Compression;

namespace Onboarding.Engine.Inbox;

/// <summary>How inbound files are decoded. Holds the private key passphrase: never log or print it.</summary>
public sealed class InboundDecoderOptions
{
    /// <summary>A decoded file may not be larger than this (a decompression bomb is refused at this size).</summary>
    public long MaxDecodedBytes { get; set; } = 16L << 30;

    /// <summary>An armored (or binary) OpenPGP secret key file, for <c>.pgp</c>, <c>.gpg</c> and <c>.asc</c> files.</summary>
    public string? PgpSecretKeyFile { get; set; }

    /// <summary>The secret key's passphrase (empty for a key without one).</summary>
    public string? PgpPassphrase { get; set; }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"MaxDecodedBytes={MaxDecodedBytes}, PgpSecretKeyFile={PgpSecretKeyFile ?? "(none)"}, PgpPassphrase=(hidden)");
}

/// <summary>An inbound file could not be decoded; the message says why, for its summary.</summary>
public sealed class InboundDecodingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The content of an inbound file, ready to ingest; dispose to delete a temporary copy.</summary>
public sealed class DecodedFile : IDisposable
{
    internal DecodedFile(string path, bool temporary, IReadOnlyList<string> layers)
    {
        Path = path;
        IsTemporary = temporary;
        Layers = layers;
    }

    /// <summary>The file to ingest: the inbound file itself, or a temporary decoded copy.</summary>
    public string Path { get; }

    public bool IsTemporary { get; }

    /// <summary>The layers removed, outermost first (e.g. <c>pgp</c>, <c>gzip</c>).</summary>
    public IReadOnlyList<string> Layers { get; }

    public void Dispose()
    {
        if (IsTemporary)
        {
            File.Delete(Path);
        }
    }
}

/// <summary>
/// Removes the transport layers of an inbound file, named by its extensions from the outside in: <c>.pgp</c>,
/// <c>.gpg</c>, <c>.asc</c> (OpenPGP, decrypted with the configured secret key) and <c>.gz</c> (gzip), in any
/// combination such as <c>x.csv.gz.pgp</c>. Decoding is one stream into a temporary file in a folder of the data
/// folder (never the inbox): the decoded size is limited as it is written, so a decompression bomb stops at the
/// limit and its partial output is deleted; an OpenPGP message must carry an integrity check (MDC), which is
/// verified after the whole message is read and before the decoded file is handed out.
/// </summary>
public sealed class InboundDecoder(InboundDecoderOptions options)
{
    private const int BufferSize = 1 << 16;
    private readonly PgpKeyring _keyring = new(options);

    public InboundDecoderOptions Options { get; } = options;

    /// <summary>Whether a file name carries a layer to remove.</summary>
    public static bool NeedsDecoding(string name) => Layer(name) is not null;

    /// <summary>The name without its transport extensions (<c>x.csv.gz.pgp</c> gives <c>x.csv</c>).</summary>
    public static string InnerName(string name)
    {
        while (Layer(name) is not null)
        {
            name = Path.GetFileNameWithoutExtension(name);
        }

        return name;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> into <paramref name="tempFolder"/>, or returns it as is when it has no layer.
    /// Throws <see cref="InboundDecodingException"/> with a reason fit for the file's summary.
    /// </summary>
    public DecodedFile Decode(string path, string tempFolder, CancellationToken cancellationToken = default)
    {
        string name = Path.GetFileName(path);
        if (!NeedsDecoding(name))
        {
            return new DecodedFile(path, temporary: false, []);
        }

        Directory.CreateDirectory(tempFolder);
        string output = Path.Combine(tempFolder, $"{Guid.NewGuid():N}.decoded");
        var layers = new List<string>();
        var decryptions = new List<PgpDecryption>();
        var streams = new List<Stream>();
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
            streams.Add(stream);
            for (string current = name; Layer(current) is { } layer; current = Path.GetFileNameWithoutExtension(current))
            {
                layers.Add(layer);
                if (layer == "gzip")
                {
                    stream = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
                }
                else
                {
                    var decryption = PgpDecryption.Open(stream, _keyring);
                    decryptions.Add(decryption);
                    stream = decryption.Content;
                }

                streams.Add(stream);
            }

            CopyLimited(stream, output, cancellationToken);

            // Innermost first: each layer's integrity check needs its content read to the end.
            for (int i = decryptions.Count - 1; i >= 0; i--)
            {
                decryptions[i].Verify();
            }

            return new DecodedFile(output, temporary: true, layers);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            File.Delete(output);
            throw ex switch
            {
                InboundDecodingException => ex,
                _ when layers.Contains("pgp") && ex is IOException or InvalidDataException or Org.BouncyCastle.Bcpg.OpenPgp.PgpException =>
                    new InboundDecodingException($"OpenPGP: the message is damaged or was altered; integrity check failed, nothing was ingested ({ex.Message})", ex),
                InvalidDataException => new InboundDecodingException($"gzip: the file is not valid gzip data ({ex.Message})", ex),
                IOException => new InboundDecodingException($"the file could not be decoded: {ex.Message}", ex),
                _ => ex,
            };
        }
        catch
        {
            File.Delete(output);
            throw;
        }
        finally
        {
            for (int i = streams.Count - 1; i >= 0; i--)
            {
                streams[i].Dispose();
            }
        }
    }

    private void CopyLimited(Stream source, string output, CancellationToken cancellationToken)
    {
        using var target = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
        byte[] buffer = new byte[BufferSize];
        long total = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            total += read;
            if (total > Options.MaxDecodedBytes)
            {
                throw new InboundDecodingException(string.Create(CultureInfo.InvariantCulture,
                    $"the decoded content is larger than the limit of {Options.MaxDecodedBytes:N0} bytes (MaxDecodedBytes); refused as a possible decompression bomb, nothing was ingested"));
            }

            target.Write(buffer, 0, read);
        }
    }

    private static string? Layer(string name) =>
        Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".gz" => "gzip",
            ".pgp" or ".gpg" or ".asc" => "pgp",
            _ => null,
        };
}
