using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>
/// The columns of the export tables (the product's Configuration, History, Destinations and Encryptions tabs), shared
/// by the Manage exports screen and the audience detail's Exports tab so both read the same.
/// </summary>
internal static class ExportColumns
{
    public static ITableSource Configurations(IReadOnlyList<ExportConfiguration> exports, IReadOnlyList<Destination> destinations) =>
        new EnumerableTableSource<ExportConfiguration>(exports, new Dictionary<string, Func<ExportConfiguration, object>>
        {
            ["Audience"] = e => e.Audience,
            ["Name"] = e => e.Name,
            ["Type"] = e => e.Schedule.Recurrence == ExportRecurrence.Once ? "one-time" : "recurring",
            ["Repeats"] = e => e.Schedule.Describe(),
            ["Ends"] = e => e.Schedule.EndDate is { } end ? Format.Date(end) : e.Schedule.Recurrence == ExportRecurrence.Once ? "-" : "never",
            ["Format"] = e => Describe(e.Content),
            ["Destination"] = e => destinations.FirstOrDefault(d => d.Name == e.Destination)?.Display is { } where ? $"{e.Destination}: {where}" : e.Destination,
            ["State"] = e => Format.Lower(e.State),
            ["Created by"] = e => e.CreatedBy,
        });

    public static ITableSource Runs(IReadOnlyList<ExportRun> runs, IReadOnlyList<ExportConfiguration> exports) =>
        new EnumerableTableSource<ExportRun>(runs, new Dictionary<string, Func<ExportRun, object>>
        {
            ["State"] = r => State(r.State),
            ["Date"] = r => Format.Time(r.Started ?? r.ScheduledFor),
            ["Audience"] = r => r.Audience,
            ["Name"] = r => r.Export,
            ["Type"] = r => exports.FirstOrDefault(e => e.Name == r.Export)?.Schedule.Recurrence is { } recurrence
                ? recurrence == ExportRecurrence.Once ? "one-time" : "recurring"
                : "-",
            ["Format"] = r => exports.FirstOrDefault(e => e.Name == r.Export) is { } e ? Describe(e.Content) : "csv",
            ["Rows"] = r => Format.Count(r.Rows),
            ["File"] = r => r.FileName ?? "-",
            ["Destination"] = r => r.Destination ?? "-",
            ["Created by"] = r => exports.FirstOrDefault(e => e.Name == r.Export)?.CreatedBy ?? "-",
            ["Error"] = r => r.Error ?? string.Empty,
        });

    public static ITableSource Destinations(IReadOnlyList<Destination> destinations) =>
        new EnumerableTableSource<Destination>(destinations, new Dictionary<string, Func<Destination, object>>
        {
            ["Name"] = d => d.Name,
            ["Type"] = d => Format.Lower(d.Type),
            ["Host"] = d => d.Sftp?.Host ?? "(local)",
            ["Path"] = d => d.Path,
            ["Port"] = d => d.Sftp?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            ["User name"] = d => d.Sftp?.User ?? "-",
            ["Created by"] = d => d.CreatedBy,
        });

    public static ITableSource Encryptions(IReadOnlyList<Encryption> encryptions) =>
        new EnumerableTableSource<Encryption>(encryptions, new Dictionary<string, Func<Encryption, object>>
        {
            ["Name"] = e => e.Name,
            ["Type"] = e => e.Type,
            ["Recipients"] = e => string.Join("; ", e.Recipients.Select(r => r.UserId)),
            ["Created by"] = e => e.CreatedBy,
        });

    /// <summary>Caps the long text columns (schedule in words, paths, errors) so every column fits a terminal's width.</summary>
    public static void Narrow(TableView table, int width, params int[] columns)
    {
        foreach (int column in columns)
        {
            table.Style.GetOrCreateColumnStyle(column).MaxWidth = width;
        }
    }

    /// <summary>"in-progress", as the history says it.</summary>
    public static string State(ExportRunState state) => state == ExportRunState.InProgress ? "in-progress" : Format.Lower(state);

    private static string Describe(ContentMode content) => $"csv, {Format.Lower(content)}";
}
