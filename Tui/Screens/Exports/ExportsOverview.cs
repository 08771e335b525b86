using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>A client's export configurations, run history (newest first), destinations and encryptions, read together.</summary>
internal sealed record ExportsOverview(
    IReadOnlyList<ExportConfiguration> Exports,
    IReadOnlyList<ExportRun> Runs,
    IReadOnlyList<Destination> Destinations,
    IReadOnlyList<Encryption> Encryptions)
{
    public static readonly ExportsOverview Empty = new([], [], [], []);

    /// <summary>Everything, or only what concerns <paramref name="audience"/> (the audience detail's Exports tab).</summary>
    public static ExportsOverview Load(DataFolder data, string client, string? audience = null)
    {
        ExportStore store = new ExportService(data.Path, client).Store;
        IReadOnlyList<ExportConfiguration> exports = [.. store.ListExports().Where(e => audience is null || e.Audience == audience)];
        IReadOnlyList<ExportRun> runs = [.. store.ListRuns().Where(r => audience is null || r.Audience == audience)];
        return new ExportsOverview(exports, runs, store.ListDestinations(), store.ListEncryptions());
    }

    /// <summary>The service for changes and tests of destinations (SFTP secrets need the data folder's protector).</summary>
    public static ExportService Service(DataFolder data, string client) => new(data.Path, client, SecretProtector.Open(data.Path));
}
