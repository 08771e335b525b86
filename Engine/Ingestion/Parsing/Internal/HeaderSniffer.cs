using System.Text;
using System.Text.Unicode;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>What <see cref="HeaderSniffer"/> found at the start of a file.</summary>
/// <param name="Buffer">The bytes read so far.</param>
/// <param name="Start">Where the text starts in <paramref name="Buffer"/> (after a UTF-8 byte order mark).</param>
/// <param name="Length">How many bytes from <paramref name="Start"/> were read.</param>
/// <param name="HasByteOrderMark">Whether the file starts with a UTF-8 byte order mark.</param>
/// <param name="Delimiter">The delimiter of the header line.</param>
internal sealed record SniffedHeader(byte[] Buffer, int Start, int Length, bool HasByteOrderMark, char Delimiter);

/// <summary>
/// Reads the first line of a file and decides whether it can be an onboarding file at all: not empty, UTF-8 text
/// (not UTF-16, not compressed or encrypted, no NUL bytes), and a header delimited by comma, tab or pipe.
/// </summary>
internal static class HeaderSniffer
{
    private static readonly char[] Supported = [',', '\t', '|'];

    public static SniffedHeader Sniff(Stream stream, string file, int maxLineLength)
    {
        byte[] buffer = new byte[Math.Min(64 * 1024, maxLineLength + 8)];
        int length = 0;
        int lineBreak = -1;
        while (lineBreak < 0 && length <= maxLineLength + 3)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxLineLength + 8L));
            }

            int read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }

            lineBreak = buffer.AsSpan(length, read).IndexOf((byte)'\n') is int found and >= 0 ? length + found : -1;
            length += read;
        }

        if (length == 0)
        {
            throw new OnboardingFileException(file, 0, 0, "the file is empty (0 bytes): expected the header row ID Type,ID,Add,Remove");
        }

        ReadOnlySpan<byte> bytes = buffer.AsSpan(0, length);
        CheckSignature(bytes, file);
        int start = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        int end = lineBreak < 0 ? length : lineBreak;
        if (end - start > maxLineLength)
        {
            throw new OnboardingFileException(file, 1, 0,
                $"the first line is longer than {maxLineLength:N0} bytes: not an onboarding file (expected the header row ID Type,ID,Add,Remove)");
        }

        ReadOnlySpan<byte> line = bytes[start..end].TrimEnd((byte)'\r');
        CheckText(line, file);
        if (line.Trim(" \t"u8).IsEmpty)
        {
            throw new OnboardingFileException(file, 1, 0, "the first line is empty: expected the header row ID Type,ID,Add,Remove");
        }

        char delimiter = DetectDelimiter(Encoding.UTF8.GetString(line), file);
        return new SniffedHeader(buffer, start, length - start, start == 3, delimiter);
    }

    private static void CheckSignature(ReadOnlySpan<byte> bytes, string file)
    {
        string? what =
            bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) ? "UTF-32 text (byte order mark)" :
            bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? "UTF-16 text (byte order mark)" :
            bytes.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) ? "gzip-compressed" :
            bytes.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]) ? "a zip archive" :
            bytes.StartsWith("-----BEGIN PGP"u8) ? "PGP-encrypted (ASCII armor)" :
            null;
        if (what is not null)
        {
            throw new OnboardingFileException(file, 1, 0, $"the file is {what}: onboarding files must be UTF-8 CSV text");
        }
    }

    private static void CheckText(ReadOnlySpan<byte> line, string file)
    {
        if (!Utf8.IsValid(line))
        {
            throw new OnboardingFileException(file, 1, 0,
                "the header line is not valid UTF-8: binary data or another encoding; onboarding files must be UTF-8 CSV text");
        }

        int control = line.IndexOfAnyInRange((byte)0, (byte)0x1F);
        while (control >= 0 && line[control] == (byte)'\t')
        {
            int next = line[(control + 1)..].IndexOfAnyInRange((byte)0, (byte)0x1F);
            control = next < 0 ? -1 : control + 1 + next;
        }

        if (control >= 0)
        {
            string what = line[control] == 0 ? "a NUL byte" : $"the control byte 0x{line[control]:X2}";
            throw new OnboardingFileException(file, 1, Encoding.UTF8.GetCharCount(line[..control]) + 1,
                $"the header line contains {what}: binary data, not an onboarding CSV file");
        }
    }

    /// <summary>The supported delimiter that occurs most often outside quotes in the header line.</summary>
    private static char DetectDelimiter(string header, string file)
    {
        Span<int> counts = stackalloc int[4];
        bool quoted = false;
        foreach (char c in header)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                int slot = c switch { ',' => 0, '\t' => 1, '|' => 2, ';' => 3, _ => -1 };
                if (slot >= 0)
                {
                    counts[slot]++;
                }
            }
        }

        int best = 0;
        for (int i = 1; i < 3; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        if (counts[3] > counts[best])
        {
            throw new OnboardingFileException(file, 1, 0,
                "unsupported delimiter ';' in the header line: use comma, tab or pipe (ID Type,ID,Add,Remove)");
        }

        if (counts[best] == 0)
        {
            throw new OnboardingFileException(file, 1, 0,
                $"no delimiter in the header line '{ErrorValue.From(header, 80)}': expected ID Type,ID,Add,Remove separated by comma, tab or pipe");
        }

        return Supported[best];
    }
}
