using System.IO.Compression;
using System.Text;
using Onboarding.Engine.Inbox;

namespace Onboarding.Engine.Tests.Inbox;

public sealed class InboundDecoderTests : IDisposable
{
    private const string Content = "ID Type,ID,Add,Remove\nHEMSHA2,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,Tier=Gold,\n";
    private readonly TempFolder _folder = new();

    private string Temp => _folder.File("tmp");

    [Fact]
    public void Gzip_IsDecodedIntoTheTempFolder_AndDeletedOnDispose()
    {
        string path = WriteGzip("x.csv.gz", Encoding.UTF8.GetBytes(Content));
        var decoder = new InboundDecoder(new InboundDecoderOptions());

        string decodedPath;
        using (DecodedFile decoded = decoder.Decode(path, Temp))
        {
            decodedPath = decoded.Path;
            Assert.StartsWith(Temp, decoded.Path, StringComparison.Ordinal);
            Assert.Equal(Content, File.ReadAllText(decoded.Path));
            Assert.Equal(["gzip"], decoded.Layers);
        }

        Assert.False(File.Exists(decodedPath));
        Assert.Equal("x.csv", InboundDecoder.InnerName("x.csv.gz.pgp"));
    }

    [Fact]
    public void PlainFile_IsUsedAsIs()
    {
        string path = _folder.File("x.csv");
        File.WriteAllText(path, Content);

        using DecodedFile decoded = new InboundDecoder(new InboundDecoderOptions()).Decode(path, Temp);

        Assert.Equal(path, decoded.Path);
        Assert.False(decoded.IsTemporary);
    }

    [Fact]
    public void GzipBomb_IsRefusedAtTheLimit_AndNothingIsLeftOnDisk()
    {
        string path = WriteGzip("bomb.csv.gz", new byte[64 << 20]); // 64 MiB of zeros, ~64 KiB compressed
        var decoder = new InboundDecoder(new InboundDecoderOptions { MaxDecodedBytes = 1 << 20 });

        InboundDecodingException refused = Assert.Throws<InboundDecodingException>(() => decoder.Decode(path, Temp));

        Assert.Contains("decompression bomb", refused.Message, StringComparison.Ordinal);
        Assert.Contains("1,048,576", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Temp));
    }

    [Fact]
    public void CorruptGzip_IsRefusedWithAClearReason()
    {
        string path = _folder.File("bad.csv.gz");
        File.WriteAllText(path, Content);

        InboundDecodingException refused = Assert.Throws<InboundDecodingException>(() => new InboundDecoder(new InboundDecoderOptions()).Decode(path, Temp));

        Assert.StartsWith("gzip:", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PgpFromGpg_BinaryArmoredAndCompressedInside_DecryptToTheOriginalBytes()
    {
        Skip.IfGpgMissing();
        using var gpg = new GpgHome();
        string plain = _folder.File("x.csv");
        File.WriteAllText(plain, Content);
        string gz = WriteGzip("x.csv.gz", Encoding.UTF8.GetBytes(Content));
        gpg.Encrypt(plain, _folder.File("x.csv.pgp"));
        gpg.Encrypt(plain, _folder.File("x.csv.asc"), armor: true);
        gpg.Encrypt(plain, _folder.File("x.csv.gpg"), armor: false, "--compress-algo", "none");
        gpg.Encrypt(gz, _folder.File("x.csv.gz.pgp"));
        var decoder = new InboundDecoder(new InboundDecoderOptions { PgpSecretKeyFile = gpg.SecretKeyFile, PgpPassphrase = string.Empty });

        foreach (string name in new[] { "x.csv.pgp", "x.csv.asc", "x.csv.gpg", "x.csv.gz.pgp" })
        {
            using DecodedFile decoded = decoder.Decode(_folder.File(name), Temp);
            Assert.Equal(Content, File.ReadAllText(decoded.Path));
        }
    }

    [Fact]
    public void TamperedPgp_IsRefusedByTheIntegrityCheck_AndNothingIsLeftOnDisk()
    {
        Skip.IfGpgMissing();
        using var gpg = new GpgHome();
        string plain = _folder.File("x.csv");
        File.WriteAllText(plain, string.Concat(Enumerable.Repeat(Content, 200)));
        var decoder = new InboundDecoder(new InboundDecoderOptions { PgpSecretKeyFile = gpg.SecretKeyFile });

        foreach (string compression in new[] { "none", "zip" })
        {
            string encrypted = _folder.File($"x-{compression}.csv.pgp");
            gpg.Encrypt(plain, encrypted, armor: false, "--compress-algo", compression);
            byte[] bytes = File.ReadAllBytes(encrypted);
            bytes[bytes.Length - 40] ^= 0x01; // inside the encrypted data, near its end
            File.WriteAllBytes(encrypted, bytes);

            InboundDecodingException refused = Assert.Throws<InboundDecodingException>(() => decoder.Decode(encrypted, Temp));

            Assert.Contains("integrity check failed", refused.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Temp));
        }
    }

    [Fact]
    public void PgpWithoutTheKey_IsRefusedClearly()
    {
        Skip.IfGpgMissing();
        using var gpg = new GpgHome();
        using var other = new GpgHome();
        string plain = _folder.File("x.csv");
        File.WriteAllText(plain, Content);
        gpg.Encrypt(plain, _folder.File("x.csv.pgp"));

        InboundDecodingException wrongKey = Assert.Throws<InboundDecodingException>(() =>
            new InboundDecoder(new InboundDecoderOptions { PgpSecretKeyFile = other.SecretKeyFile }).Decode(_folder.File("x.csv.pgp"), Temp));
        InboundDecodingException noKey = Assert.Throws<InboundDecodingException>(() =>
            new InboundDecoder(new InboundDecoderOptions()).Decode(_folder.File("x.csv.pgp"), Temp));

        Assert.Contains("the configured secret key is not one of them", wrongKey.Message, StringComparison.Ordinal);
        Assert.Contains("no secret key is configured", noKey.Message, StringComparison.Ordinal);
    }

    private string WriteGzip(string name, byte[] content)
    {
        string path = _folder.File(name);
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return path;
    }

    public void Dispose() => _folder.Dispose();
}

internal static class Skip
{
    /// <summary>gpg is installed by .ci/run; locally `apt-get install -y gnupg`.</summary>
    public static void IfGpgMissing() =>
        Assert.True(GpgHome.IsInstalled, "gpg is not installed (apt-get install -y gnupg)");
}
