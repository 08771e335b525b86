using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// The conventional name of an onboarding file, <c>&lt;IDTYPE&gt;_&lt;client&gt;_&lt;YYYYMMDD&gt;.csv</c>, such as
/// <c>HEMSHA2_acme_20240131.csv</c>. The convention is recognised, not required: files named otherwise are read
/// the same way. The ID type is matched ignoring case; the client is one or more letters, digits, <c>-</c>,
/// <c>.</c> or <c>_</c> (so it can name a folder); the date must exist. Any extensions after the date are
/// allowed (<c>.csv</c>, <c>.tsv</c>, <c>.txt</c>, <c>.csv.gz</c>...).
/// </summary>
/// <param name="IdType">The ID type named in the file name.</param>
/// <param name="Client">The client, as written.</param>
/// <param name="Date">The date of the file.</param>
public sealed record OnboardingFileName(IdType IdType, string Client, DateOnly Date)
{
    /// <summary>Recognises the convention in a file name or path (only the last part of a path is looked at).</summary>
    /// <param name="fileName">A file name or path.</param>
    /// <param name="name">What the name says, or <see langword="null"/>.</param>
    /// <returns>Whether the name follows the convention.</returns>
    public static bool TryParse(string? fileName, [NotNullWhen(true)] out OnboardingFileName? name)
    {
        name = null;
        if (string.IsNullOrEmpty(fileName))
        {
            return false;
        }

        string file = Path.GetFileName(fileName);
        int extension = file.IndexOf('.', StringComparison.Ordinal);
        string stem = extension < 0 ? file : file[..extension];
        int first = stem.IndexOf('_', StringComparison.Ordinal);
        int last = stem.LastIndexOf('_');
        if (first <= 0 || last <= first + 1)
        {
            return false;
        }

        string client = stem[(first + 1)..last];
        if (!IdTypes.TryParse(stem.AsSpan(0, first), out IdType type)
            || !client.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            || !DateOnly.TryParseExact(stem.AsSpan(last + 1), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            return false;
        }

        name = new OnboardingFileName(type, client, date);
        return true;
    }

    /// <summary>The conventional name with the <c>.csv</c> extension.</summary>
    /// <returns>Such as <c>HEMSHA2_acme_20240131.csv</c>.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{IdTypes.FileName(IdType)}_{Client}_{Date:yyyyMMdd}.csv");
}
