using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Onboarding.Engine.Inbox;

namespace Onboarding.Engine.Tests.Inbox;

/// <summary>
/// Names carried inside inbound archives (gzip's FNAME, OpenPGP's literal-data name) are never used for a path: the
/// decoded content goes to a generated name in the temp folder, and the file keeps the name it arrived under.
/// </summary>
public sealed class InboundArchiveNameTests : IDisposable
{
    private const string Content = "ID Type,ID,Add,Remove\n";
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData("../../escape.csv")]
    [InlineData("/etc/cron.d/evil")]
    [InlineData("a\u0001b.csv")]
    public void GzipWithAHostileInnerName_DecodesToAGeneratedNameInTheTempFolder(string innerName)
    {
        string path = _folder.File("HEMSHA2_acme_20260101.csv.gz");
        File.WriteAllBytes(path, GzipNamed(innerName, Encoding.UTF8.GetBytes(Content)));
        string temp = _folder.File("tmp");

        using DecodedFile decoded = new InboundDecoder(new InboundDecoderOptions()).Decode(path, temp);

        Assert.Equal(temp, Path.GetDirectoryName(decoded.Path));
        Assert.EndsWith(".decoded", decoded.Path, StringComparison.Ordinal);
        Assert.Equal(Content, File.ReadAllText(decoded.Path));
        Assert.Equal("HEMSHA2_acme_20260101.csv", InboundDecoder.InnerName(Path.GetFileName(path)));
        Assert.Equal([Path.GetFileName(path), "tmp"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(temp, innerName.TrimStart('/')))));
    }

    /// <summary>A gzip member with the FNAME flag set (which .NET's GZipStream never writes).</summary>
    private static byte[] GzipNamed(string name, byte[] content)
    {
        using var output = new MemoryStream();
        output.Write([0x1F, 0x8B, 8, 0x08, 0, 0, 0, 0, 0, 3]);
        output.Write(Encoding.Latin1.GetBytes(name));
        output.WriteByte(0);
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(content);
        }

        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, Crc32.HashToUInt32(content));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)content.Length);
        output.Write(trailer);
        return output.ToArray();
    }

    public void Dispose() => _folder.Dispose();
}
