using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Onboarding.Engine.Exports.Csv;

/// <summary>
/// Export file names such as <c>{audience}_{yyyyMMdd_HHmm}.csv</c>: <c>{audience}</c>, <c>{export}</c> and
/// <c>{client}</c> (characters other than letters, digits, '.', '_' and '-' become '_'), and any other token is a
/// date/time format rendered at the run's scheduled time on the wall clock of the schedule's time zone.
/// </summary>
public static partial class FileNameTemplate
{
    public static void Validate(string template) =>
        _ = Render(template, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), "UTC", "audience", "export", "client");

    /// <summary>The file name for a run scheduled at <paramref name="at"/>; throws <see cref="ExportException"/> naming the bad token.</summary>
    public static string Render(string template, DateTimeOffset at, string timeZone, string audience, string export, string client)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new ExportException("The file name template is empty (e.g. {audience}_{yyyyMMdd_HHmm}.csv).");
        }

        DateTime local = TimeZoneInfo.ConvertTime(at, FindTimeZone(timeZone)).DateTime;
        string name = Token().Replace(template, match =>
        {
            string token = match.Groups[1].Value;
            return token switch
            {
                "audience" => Safe(audience),
                "export" => Safe(export),
                "client" => Safe(client),
                _ when DateFormat().IsMatch(token) => local.ToString(token, CultureInfo.InvariantCulture),
                _ => throw new ExportException(
                    $"Unknown token {{{token}}} in the file name template \"{template}\": use {{audience}}, {{export}}, {{client}} or a date/time format such as {{yyyyMMdd_HHmm}}."),
            };
        });
        if (name.Contains('{', StringComparison.Ordinal) || name.Contains('}', StringComparison.Ordinal))
        {
            throw new ExportException($"The file name template \"{template}\" has an unbalanced brace.");
        }

        if (name.StartsWith('.') || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.Any(char.IsControl) || name.Length > 200)
        {
            throw new ExportException(
                $"The file name template \"{template}\" gives \"{name}\", which is not a safe file name (no leading '.', no '/' or '\\', no control characters, at most 200 characters).");
        }

        return name;
    }

    public static TimeZoneInfo FindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ExportException($"Unknown time zone \"{id}\": use an IANA id such as UTC, Europe/Paris or America/New_York.", ex);
        }
    }

    private static string Safe(string text)
    {
        var safe = new StringBuilder(text.Length);
        foreach (char c in text.Trim())
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        return safe.ToString();
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Token();

    [GeneratedRegex(@"^[yMdHhmsf]+([_\-.]?[yMdHhmsf]+)*$")]
    private static partial Regex DateFormat();
}
