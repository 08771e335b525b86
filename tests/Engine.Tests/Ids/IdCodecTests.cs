using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Tests.Ids;

public class IdCodecTests
{
    private static readonly string Sha2 = Convert.ToHexStringLower(SHA256.HashData("a"u8));

    [Theory]
    [InlineData(IdType.HemSha2, 64)]
    [InlineData(IdType.HemSha1, 40)]
    [InlineData(IdType.HemMd5, 32)]
    public void TryParse_HexOfTheRightLength_DecodesAndFormatsBack(IdType type, int hexLength)
    {
        string hex = Sha2[..hexLength];
        Span<byte> id = stackalloc byte[IdCodec.MaxByteLength];

        Assert.True(IdCodec.TryParse(type, hex, id, out string? error), error);
        Assert.Equal(hex, IdCodec.Format(type, id[..IdTypes.ByteLength(type)]));
    }

    [Fact]
    public void TryParse_UppercaseHex_NormalisedToLowercase()
    {
        Span<byte> id = stackalloc byte[32];
        Assert.True(IdCodec.TryParse(IdType.HemSha2, Sha2.ToUpperInvariant(), id, out _));
        Assert.Equal(Sha2, IdCodec.Format(IdType.HemSha2, id));
    }

    [Fact]
    public void TryParse_SurroundingSpacesAndTabs_Trimmed()
    {
        Span<byte> id = stackalloc byte[32];
        Assert.True(IdCodec.TryParse(IdType.HemSha2, Encoding.UTF8.GetBytes($" \t{Sha2}  "), id, out _));
        Assert.Equal(Sha2, IdCodec.Format(IdType.HemSha2, id));
    }

    [Theory]
    [InlineData(IdType.HemSha2, "", "empty ID")]
    [InlineData(IdType.Ip, "   ", "empty ID")]
    [InlineData(IdType.HemSha2, "0x2a", "'0x' prefix is not allowed: a HEMSHA2 ID is 64 hex characters without a prefix")]
    [InlineData(IdType.HemMd5, "0X2a", "'0x' prefix is not allowed: a HEMMD5 ID is 32 hex characters without a prefix")]
    [InlineData(IdType.HemSha2, "abcdg", "invalid hex character 'g' at position 5")]
    [InlineData(IdType.HemSha1, "ab cd", "invalid hex character ' ' at position 3")]
    [InlineData(IdType.HemSha2, "ab\0cd", "invalid hex character U+0000 (NUL) at position 3")]
    [InlineData(IdType.HemSha2, "abé", "invalid hex character 'é' at position 3")]
    [InlineData(IdType.HemSha2, "foo@example.com", "plaintext e-mail addresses are not accepted as HEMSHA2: send the hash (64 hex characters)")]
    [InlineData(IdType.HemSha2, "abc", "wrong length: a HEMSHA2 ID is 64 hex characters, got 3")]
    [InlineData(IdType.HemSha2, "0123456789abcdef0123456789abcdef", "wrong length: a HEMSHA2 ID is 64 hex characters, got 32 (the length of HEMMD5)")]
    [InlineData(IdType.HemMd5, "0123456789abcdef0123456789abcdef01234567", "wrong length: a HEMMD5 ID is 32 hex characters, got 40 (the length of HEMSHA1)")]
    public void TryParse_BadHex_SaysWhy(IdType type, string text, string reason)
    {
        AssertRejected(type, text, reason);
    }

    [Fact]
    public void TryParse_Utf8Overload_ReportsCharacterPositionsAndInvalidBytes()
    {
        Span<byte> id = stackalloc byte[32];
        Assert.False(IdCodec.TryParse(IdType.HemSha2, "éab\u00e9"u8, id, out string? error));
        Assert.Equal("invalid hex character 'é' at position 1", error);
        Assert.False(IdCodec.TryParse(IdType.HemSha2, (ReadOnlySpan<byte>)[0x61, 0xFF, 0x62], id, out error));
        Assert.Equal("invalid hex character (invalid UTF-8 byte 0xFF) at position 2", error);
    }

    [Theory]
    [InlineData("0123ABCD-4567-89ab-CDEF-0123456789AB", "0123abcd-4567-89ab-cdef-0123456789ab")]
    [InlineData(" 00000000-0000-0000-0000-000000000000 ", "00000000-0000-0000-0000-000000000000")]
    public void TryParse_Maid_NormalisedLowercase(string text, string normalised)
    {
        Span<byte> id = stackalloc byte[16];
        Assert.True(IdCodec.TryParse(IdType.Maid, text, id, out string? error), error);
        Assert.Equal(normalised, IdCodec.Format(IdType.Maid, id));
    }

    [Fact]
    public void TryParse_Maid_StoredInTextOrder()
    {
        byte[] id = new byte[16];
        Assert.True(IdCodec.TryParse(IdType.Maid, "00112233-4455-6677-8899-aabbccddeeff", id, out _));
        Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff"), id);
    }

    [Theory]
    [InlineData("0123abcd456789abcdef0123456789ab", "malformed MAID: expected a UUID of 36 characters (8-4-4-4-12 hex digits with dashes, such as 0123abcd-4567-89ab-cdef-0123456789ab), got 32 characters")]
    [InlineData("0123abcd_4567-89ab-cdef-0123456789ab", "malformed MAID: expected '-' at position 9, found '_' (8-4-4-4-12 hex digits with dashes, such as 0123abcd-4567-89ab-cdef-0123456789ab)")]
    [InlineData("0123abcd-4567-89ab-cdef-0123456789ax", "malformed MAID: invalid hex character 'x' at position 36")]
    public void TryParse_MalformedMaid_SaysWhy(string text, string reason) => AssertRejected(IdType.Maid, text, reason);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.10")]
    public void TryParse_Ip_RoundTrips(string text)
    {
        Span<byte> id = stackalloc byte[4];
        Assert.True(IdCodec.TryParse(IdType.Ip, text, id, out string? error), error);
        Assert.Equal(text, IdCodec.Format(IdType.Ip, id));
    }

    [Theory]
    [InlineData("256.1.1.1", "malformed IP: the first number '256' is greater than 255")]
    [InlineData("1.2.3.1000", "malformed IP: the fourth number '1000' is greater than 255")]
    [InlineData("01.2.3.4", "malformed IP: the first number '01' has a leading zero")]
    [InlineData("1.2.3", "malformed IP: expected 4 numbers separated by dots, got 3")]
    [InlineData("1.2.3.4.5", "malformed IP: expected 4 numbers separated by dots, got 5")]
    [InlineData("1..3.4", "malformed IP: the second number is empty")]
    [InlineData("1.2.3.x", "malformed IP: invalid character 'x' at position 7")]
    [InlineData("::1", "malformed IP: IPv6 addresses are not supported, expected an IPv4 dotted quad such as 192.0.2.1")]
    public void TryParse_MalformedIp_SaysWhy(string text, string reason) => AssertRejected(IdType.Ip, text, reason);

    [Fact]
    public void HashEmail_TrimsAndLowercases()
    {
        Span<byte> hash = stackalloc byte[32];
        IdCodec.HashEmail("  Foo@Example.COM ", hash);
        Assert.Equal(SHA256.HashData("foo@example.com"u8), hash.ToArray());
    }

    [Fact]
    public void Format_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => IdCodec.Format(IdType.Ip, new byte[5]));

    private static void AssertRejected(IdType type, string text, string reason)
    {
        byte[] id = new byte[IdCodec.MaxByteLength];
        Assert.False(IdCodec.TryParse(type, text, id, out string? charError));
        Assert.Equal(reason, charError);
        Assert.False(IdCodec.TryParse(type, Encoding.UTF8.GetBytes(text), id, out string? byteError));
        Assert.Equal(reason, byteError);
    }
}
