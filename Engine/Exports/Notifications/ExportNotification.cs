using System.Globalization;
using System.Text;

namespace Onboarding.Engine.Exports.Notifications;

/// <summary>How the run a notification reports on ended.</summary>
public enum ExportNotificationStatus
{
    Complete,
    Failed,
}

/// <summary>What the people on an export's notification list are told when a run ends (SessionM's "Notification" step).</summary>
public sealed record ExportNotification
{
    public required string Client { get; init; }

    public required string ExportName { get; init; }

    public required string Audience { get; init; }

    public required ExportNotificationStatus Status { get; init; }

    public long Rows { get; init; }

    public long Bytes { get; init; }

    /// <summary>The file name at the destination (none when the run failed before naming it).</summary>
    public string? FileName { get; init; }

    public string? Destination { get; init; }

    /// <summary>Why the run failed.</summary>
    public string? Error { get; init; }

    public DateTimeOffset Started { get; init; }

    public DateTimeOffset Ended { get; init; }

    /// <summary>The e-mail addresses of the export configuration.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    /// <summary>One line: "[Onboarding] export NAME complete: ROWS rows" or "[Onboarding] export NAME failed: ERROR".</summary>
    public string Subject()
    {
        string outcome = Status == ExportNotificationStatus.Complete
            ? string.Create(CultureInfo.InvariantCulture, $"complete: {Rows} rows")
            : $"failed: {Shorten(Error ?? "no reason given", 120)}";
        return OneLine($"[Onboarding] export {ExportName} {outcome}");
    }

    /// <summary>The plain-text body: every field of the run, one per line.</summary>
    public string Body()
    {
        var body = new StringBuilder();
        void Line(string label, string? value) => body.Append(CultureInfo.InvariantCulture, $"{label,-13}{value}\n");

        Line("Export:", $"{ExportName} (client {Client})");
        Line("Audience:", Audience);
        Line("Status:", Status == ExportNotificationStatus.Complete ? "complete" : "failed");
        Line("Rows:", Rows.ToString(CultureInfo.InvariantCulture));
        Line("Bytes:", Bytes.ToString(CultureInfo.InvariantCulture));
        Line("File:", FileName ?? "-");
        Line("Destination:", Destination ?? "-");
        Line("Started:", Started.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Line("Ended:", Ended.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Line("Duration:", (Ended - Started).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
        if (Status == ExportNotificationStatus.Failed)
        {
            Line("Error:", Error ?? "no reason given");
        }

        body.Append("\nSent by Onboarding because this address is on the export's notification list.\n");
        return body.ToString();
    }

    // A header must stay one line whatever an export name or server message holds.
    private static string OneLine(string text) => string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static string Shorten(string text, int max)
    {
        string line = OneLine(text);
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
