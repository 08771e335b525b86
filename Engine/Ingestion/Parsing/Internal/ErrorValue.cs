using System.Text;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>Turns offending values into short, printable text for <see cref="RowError.Value"/>.</summary>
internal static class ErrorValue
{
    /// <summary>UTF-8 (possibly invalid, possibly huge) to at most <paramref name="maxChars"/> characters plus a size note.</summary>
    public static string From(ReadOnlySpan<byte> utf8, int maxChars)
    {
        int take = Math.Min(utf8.Length, maxChars * 4);
        string text = Encoding.UTF8.GetString(utf8[..take]);
        bool cut = take < utf8.Length || text.Length > maxChars;
        return Printable(text.AsSpan(0, Math.Min(text.Length, maxChars)), cut ? $"... ({utf8.Length:N0} bytes)" : null);
    }

    /// <summary>Text to at most <paramref name="maxChars"/> characters plus a size note.</summary>
    public static string From(ReadOnlySpan<char> text, int maxChars) =>
        text.Length > maxChars ? Printable(text[..maxChars], $"... ({text.Length:N0} characters)") : Printable(text, null);

    private static string Printable(ReadOnlySpan<char> text, string? suffix)
    {
        var builder = new StringBuilder(text.Length + 32);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append($"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append(suffix).ToString();
    }
}
