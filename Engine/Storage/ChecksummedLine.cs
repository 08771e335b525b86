using System.Security.Cryptography;
using System.Text;

namespace Onboarding.Engine.Storage;

/// <summary>
/// The line format of our append-only logs (the commit journal, the audit log): <c>json TAB checksum LF</c>, the
/// checksum being the first 8 bytes of the SHA-256 of the JSON in hex. A line that does not check out is torn or
/// damaged; the log decides which by where it is.
/// </summary>
internal static class ChecksummedLine
{
    private const byte Separator = (byte)'\t';

    public static byte[] Encode(string json) => Encoding.UTF8.GetBytes($"{json}\t{Checksum(json)}\n");

    /// <summary>The JSON of a line (without its line break), or null when the checksum does not match.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> line)
    {
        int separator = line.LastIndexOf(Separator);
        if (separator < 0)
        {
            return null;
        }

        string json = Encoding.UTF8.GetString(line[..separator]);
        return Encoding.UTF8.GetString(line[(separator + 1)..]) == Checksum(json) ? json : null;
    }

    /// <summary>
    /// Splits log content into checked lines. A bad last line (a crash while appending) ends the log; a bad line
    /// with intact lines after it is damage, reported with its line number, never skipped.
    /// </summary>
    public static (List<string> Lines, long ValidLength) ReadAll(ReadOnlySpan<byte> content, string path, string what)
    {
        var lines = new List<string>();
        int position = 0;
        int lineNumber = 0;
        while (position < content.Length)
        {
            lineNumber++;
            int length = content[position..].IndexOf((byte)'\n');
            string? json = length < 0 ? null : TryDecode(content.Slice(position, length));
            if (json is null)
            {
                if (length < 0 || position + length == content.Length - 1)
                {
                    break;
                }

                throw new InvalidDataException(
                    $"{path}: line {lineNumber} of the {what} is damaged but later lines are intact; " +
                    "refusing to guess what it held. Restore the data folder from a backup.");
            }

            lines.Add(json);
            position += length + 1;
        }

        return (lines, position);
    }

    private static string Checksum(string json) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)).AsSpan(0, 8));
}
