using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Onboarding.Engine.Ids;

/// <summary>
/// Converts customer IDs between their text form in onboarding files and the binary form kept in the ID
/// dictionary. Parsing rules, for every type:
/// <list type="bullet">
/// <item>Surrounding spaces and tabs are ignored; an ID that is empty after trimming is an error.</item>
/// <item><c>HEMSHA2</c>, <c>HEMSHA1</c>, <c>HEMMD5</c>: exactly 64, 40 or 32 hex digits, any case (a <c>0x</c> prefix is
/// an error, not skipped).</item>
/// <item><c>MAID</c>: a UUID written 8-4-4-4-12 with dashes, any case; stored in text order (not .NET
/// <see cref="Guid"/> byte order).</item>
/// <item><c>IP</c>: an IPv4 dotted quad, four decimal numbers 0..255 without leading zeros.</item>
/// </list>
/// Error texts are complete sentences for reject reports; positions in them are 1-based characters of the
/// trimmed value.
/// </summary>
public static class IdCodec
{
    /// <summary>The longest binary ID (<see cref="IdType.HemSha2"/>); a buffer of this size fits every type.</summary>
    public const int MaxByteLength = 32;

    /// <summary>Parses <paramref name="text"/> as an ID of <paramref name="type"/>.</summary>
    /// <param name="type">The ID type of the row.</param>
    /// <param name="text">The ID cell; surrounding spaces and tabs are ignored.</param>
    /// <param name="destination">Receives exactly <see cref="IdTypes.ByteLength"/> bytes; at least that long.</param>
    /// <param name="error">Why the text is not a valid ID, or <see langword="null"/>.</param>
    /// <returns>Whether the ID is valid.</returns>
    public static bool TryParse(IdType type, ReadOnlySpan<char> text, Span<byte> destination, out string? error) =>
        TryParseCore(type, text, destination, out error);

    /// <summary>Parses UTF-8 <paramref name="utf8"/> as an ID of <paramref name="type"/>; see the text overload.</summary>
    /// <param name="type">The ID type of the row.</param>
    /// <param name="utf8">The ID cell as UTF-8 bytes; surrounding spaces and tabs are ignored.</param>
    /// <param name="destination">Receives exactly <see cref="IdTypes.ByteLength"/> bytes; at least that long.</param>
    /// <param name="error">Why the text is not a valid ID, or <see langword="null"/>.</param>
    /// <returns>Whether the ID is valid.</returns>
    public static bool TryParse(IdType type, ReadOnlySpan<byte> utf8, Span<byte> destination, out string? error) =>
        TryParseCore(type, utf8, destination, out error);

    /// <summary>The text form of a binary ID: lowercase hex, a lowercase UUID with dashes, or a dotted quad.</summary>
    /// <param name="type">The ID type.</param>
    /// <param name="id">Exactly <see cref="IdTypes.ByteLength"/> bytes.</param>
    /// <returns>The normalised text, which <see cref="TryParse(IdType, ReadOnlySpan{char}, Span{byte}, out string?)"/> reads back.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> does not have the length of <paramref name="type"/>.</exception>
    public static string Format(IdType type, ReadOnlySpan<byte> id)
    {
        int length = IdTypes.ByteLength(type);
        if (id.Length != length)
        {
            throw new ArgumentException($"a {IdTypes.FileName(type)} ID is {length} bytes, got {id.Length}", nameof(id));
        }

        switch (type)
        {
            case IdType.Maid:
                return string.Create(36, id.ToArray(), static (chars, bytes) =>
                {
                    ReadOnlySpan<int> groups = [4, 2, 2, 2, 6];
                    int b = 0;
                    int c = 0;
                    foreach (int count in groups)
                    {
                        if (c > 0)
                        {
                            chars[c++] = '-';
                        }

                        Convert.TryToHexStringLower(bytes.AsSpan(b, count), chars[c..], out int written);
                        b += count;
                        c += written;
                    }
                });
            case IdType.Ip:
                return string.Create(CultureInfo.InvariantCulture, $"{id[0]}.{id[1]}.{id[2]}.{id[3]}");
            default:
                return Convert.ToHexStringLower(id);
        }
    }

    /// <summary>
    /// Hashes a plaintext e-mail address the way clients must before sending <c>HEMSHA2</c>: surrounding whitespace
    /// removed, lowercased (invariant culture), UTF-8 encoded, SHA-256.
    /// </summary>
    /// <param name="email">The address as written.</param>
    /// <param name="sha256">Receives the 32-byte digest.</param>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is shorter than 32 bytes.</exception>
    public static void HashEmail(ReadOnlySpan<char> email, Span<byte> sha256)
    {
        if (sha256.Length < SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("the destination must hold 32 bytes", nameof(sha256));
        }

        email = email.Trim();
        char[]? rentedChars = null;
        Span<char> lower = email.Length <= 256 ? stackalloc char[email.Length] : (rentedChars = ArrayPool<char>.Shared.Rent(email.Length));
        int lowerLength = email.ToLowerInvariant(lower);
        lower = lower[..lowerLength];

        int maxBytes = Encoding.UTF8.GetMaxByteCount(lower.Length);
        byte[]? rentedBytes = null;
        Span<byte> utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
        int byteCount = Encoding.UTF8.GetBytes(lower, utf8);
        SHA256.HashData(utf8[..byteCount], sha256);

        if (rentedChars is not null)
        {
            ArrayPool<char>.Shared.Return(rentedChars);
        }

        if (rentedBytes is not null)
        {
            ArrayPool<byte>.Shared.Return(rentedBytes);
        }
    }

    private static bool TryParseCore<T>(IdType type, ReadOnlySpan<T> text, Span<byte> destination, out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        int length = IdTypes.ByteLength(type);
        if (destination.Length < length)
        {
            throw new ArgumentException($"the destination must hold {length} bytes", nameof(destination));
        }

        text = Trim(text);
        if (text.IsEmpty)
        {
            error = "empty ID";
            return false;
        }

        switch (type)
        {
            case IdType.Maid:
                return TryParseUuid(text, destination, out error);
            case IdType.Ip:
                return TryParseIPv4(text, destination, out error);
            default:
                return TryParseHex(type, text, destination[..length], out error);
        }
    }

    private static bool TryParseHex<T>(IdType type, ReadOnlySpan<T> text, Span<byte> destination, out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        int expected = destination.Length * 2;
        if (text.Length == expected && DecodeHex(text, destination))
        {
            error = null;
            return true;
        }

        string name = IdTypes.FileName(type);
        if (text.Length >= 2 && At(text, 0) == '0' && (At(text, 1) | 0x20) == 'x')
        {
            error = $"'0x' prefix is not allowed: a {name} ID is {expected} hex characters without a prefix";
        }
        else if (text.IndexOf(T.CreateTruncating('@')) >= 0)
        {
            error = $"plaintext e-mail addresses are not accepted as {name}: send the hash ({expected} hex characters)";
        }
        else if (IndexOfNonHex(text) is int bad and >= 0)
        {
            error = $"invalid hex character {Describe(text, bad)} at position {Position(text, bad)}";
        }
        else
        {
            error = $"wrong length: a {name} ID is {expected} hex characters, got {text.Length}{LengthHint(type, text.Length)}";
        }

        return false;
    }

    private static string LengthHint(IdType type, int length)
    {
        foreach (IdType other in IdTypes.All)
        {
            if (other != type && other is not (IdType.Maid or IdType.Ip) && IdTypes.ByteLength(other) * 2 == length)
            {
                return $" (the length of {IdTypes.FileName(other)})";
            }
        }

        return string.Empty;
    }

    private static bool TryParseUuid<T>(ReadOnlySpan<T> text, Span<byte> destination, out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        const string Form = "8-4-4-4-12 hex digits with dashes, such as 0123abcd-4567-89ab-cdef-0123456789ab";
        if (text.Length != 36)
        {
            error = $"malformed MAID: expected a UUID of 36 characters ({Form}), got {text.Length} characters";
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            bool dashPosition = i is 8 or 13 or 18 or 23;
            int c = At(text, i);
            if (dashPosition && c != '-')
            {
                error = $"malformed MAID: expected '-' at position {i + 1}, found {Describe(text, i)} ({Form})";
                return false;
            }

            if (!dashPosition && !char.IsAsciiHexDigit((char)c))
            {
                error = $"malformed MAID: invalid hex character {Describe(text, i)} at position {Position(text, i)}";
                return false;
            }
        }

        DecodeHex(text[..8], destination[..4]);
        DecodeHex(text[9..13], destination[4..6]);
        DecodeHex(text[14..18], destination[6..8]);
        DecodeHex(text[19..23], destination[8..10]);
        DecodeHex(text[24..], destination[10..16]);
        error = null;
        return true;
    }

    private static bool TryParseIPv4<T>(ReadOnlySpan<T> text, Span<byte> destination, out string? error)
        where T : unmanaged, IBinaryInteger<T>
    {
        for (int i = 0; i < text.Length; i++)
        {
            int c = At(text, i);
            if (c != '.' && !char.IsAsciiDigit((char)c))
            {
                error = c == ':'
                    ? "malformed IP: IPv6 addresses are not supported, expected an IPv4 dotted quad such as 192.0.2.1"
                    : $"malformed IP: invalid character {Describe(text, i)} at position {Position(text, i)}";
                return false;
            }
        }

        int parts = text.Count(T.CreateTruncating('.')) + 1;
        if (parts != 4)
        {
            error = $"malformed IP: expected 4 numbers separated by dots, got {parts}";
            return false;
        }

        int start = 0;
        for (int part = 0; part < 4; part++)
        {
            int end = start;
            while (end < text.Length && At(text, end) != '.')
            {
                end++;
            }

            ReadOnlySpan<T> digits = text[start..end];
            int number = 0;
            foreach (T digit in digits)
            {
                number = Math.Min(number * 10 + (int.CreateTruncating(digit) - '0'), 1000);
            }

            string label = Ordinal(part + 1);
            if (digits.IsEmpty)
            {
                error = $"malformed IP: the {label} number is empty";
                return false;
            }

            if (digits.Length > 1 && At(digits, 0) == '0')
            {
                error = $"malformed IP: the {label} number '{ToText(digits)}' has a leading zero";
                return false;
            }

            if (number > 255)
            {
                error = $"malformed IP: the {label} number '{ToText(digits)}' is greater than 255";
                return false;
            }

            destination[part] = (byte)number;
            start = end + 1;
        }

        error = null;
        return true;
    }

    private static string Ordinal(int n) => n switch { 1 => "first", 2 => "second", 3 => "third", _ => "fourth" };

    private static bool DecodeHex<T>(ReadOnlySpan<T> text, Span<byte> destination)
        where T : unmanaged, IBinaryInteger<T>
    {
        OperationStatus status = typeof(T) == typeof(byte)
            ? Convert.FromHexString(MemoryMarshal.Cast<T, byte>(text), destination, out _, out int written)
            : Convert.FromHexString(MemoryMarshal.Cast<T, char>(text), destination, out _, out written);
        return status == OperationStatus.Done && written == destination.Length;
    }

    private static int IndexOfNonHex<T>(ReadOnlySpan<T> text)
        where T : unmanaged, IBinaryInteger<T>
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiHexDigit((char)At(text, i)))
            {
                return i;
            }
        }

        return -1;
    }

    private static int At<T>(ReadOnlySpan<T> text, int index)
        where T : unmanaged, IBinaryInteger<T> => int.CreateTruncating(text[index]);

    private static ReadOnlySpan<T> Trim<T>(ReadOnlySpan<T> text)
        where T : unmanaged, IBinaryInteger<T>
    {
        int start = 0;
        int end = text.Length;
        while (start < end && At(text, start) is ' ' or '\t')
        {
            start++;
        }

        while (end > start && At(text, end - 1) is ' ' or '\t')
        {
            end--;
        }

        return text[start..end];
    }

    /// <summary>1-based character position of code unit <paramref name="index"/> (UTF-8 continuation bytes not counted).</summary>
    private static int Position<T>(ReadOnlySpan<T> text, int index)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (typeof(T) != typeof(byte))
        {
            return index + 1;
        }

        int position = 0;
        for (int i = 0; i <= index; i++)
        {
            if ((At(text, i) & 0xC0) != 0x80)
            {
                position++;
            }
        }

        return position;
    }

    /// <summary>A readable description of the character at <paramref name="index"/>: <c>'g'</c>, <c>U+0000 (NUL)</c>, invalid UTF-8.</summary>
    private static string Describe<T>(ReadOnlySpan<T> text, int index)
        where T : unmanaged, IBinaryInteger<T>
    {
        Rune rune;
        OperationStatus status = typeof(T) == typeof(byte)
            ? Rune.DecodeFromUtf8(MemoryMarshal.Cast<T, byte>(text)[index..], out rune, out _)
            : Rune.DecodeFromUtf16(MemoryMarshal.Cast<T, char>(text)[index..], out rune, out _);
        if (status != OperationStatus.Done)
        {
            return typeof(T) == typeof(byte)
                ? $"(invalid UTF-8 byte 0x{At(text, index):X2})"
                : $"(unpaired surrogate U+{At(text, index):X4})";
        }

        return DescribeRune(rune);
    }

    /// <summary>Describes one character for an error message: printable ones quoted, the others by code point.</summary>
    internal static string DescribeRune(Rune rune) => rune.Value switch
    {
        0 => "U+0000 (NUL)",
        _ when Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) && rune.Value != ' ' => $"U+{rune.Value:X4}",
        _ => $"'{rune}'",
    };

    private static string ToText<T>(ReadOnlySpan<T> digits)
        where T : unmanaged, IBinaryInteger<T>
    {
        var builder = new StringBuilder(digits.Length);
        foreach (T digit in digits)
        {
            builder.Append((char)int.CreateTruncating(digit));
        }

        return builder.ToString();
    }
}
