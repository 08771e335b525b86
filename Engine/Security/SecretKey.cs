using System.Security.Cryptography;
using System.Text;

namespace Onboarding.Engine.Security;

/// <summary>A 256-bit secret-encryption key and its id (8 hex digits derived from the key, not secret).</summary>
internal sealed class SecretKey
{
    public const int Length = 32;
    public const int IdLength = 8;

    private SecretKey(byte[] key)
    {
        Key = key;
        byte[] digest = SHA256.HashData([.. Encoding.ASCII.GetBytes("onboard secret key id\0"), .. key]);
        Id = Convert.ToHexStringLower(digest.AsSpan(0, IdLength / 2));
    }

    public byte[] Key { get; }

    public string Id { get; }

    public static SecretKey Generate() => new(RandomNumberGenerator.GetBytes(Length));

    public static SecretKey FromBytes(ReadOnlySpan<byte> key) =>
        key.Length == Length ? new SecretKey(key.ToArray()) : throw new ArgumentException($"A secret key is {Length} bytes, not {key.Length}.");

    /// <summary>Parses base64 key text; <paramref name="source"/> names where it came from, for the error.</summary>
    public static SecretKey Parse(string base64, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new SecretKeyException($"The secret key in {source} is not base64 (expected 32 random bytes in base64, e.g. from `openssl rand -base64 32`).");
        }

        return bytes.Length == Length
            ? new SecretKey(bytes)
            : throw new SecretKeyException($"The secret key in {source} is {bytes.Length} bytes; it must be exactly {Length} bytes (base64 of 32 random bytes).");
    }

    public string ToBase64() => Convert.ToBase64String(Key);
}

/// <summary>The secret key is missing, malformed, unsafe, or does not match a stored secret.</summary>
public sealed class SecretKeyException(string message, Exception? inner = null) : Exception(message, inner);
