using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Inbox;

namespace Onboarding.Tui.Inbox;

/// <summary>An onboarding file found in the inbox, with the client and mode its place selects.</summary>
internal sealed record InboxFile(string Path, string Client, IngestionMode Mode)
{
    public string Name => System.IO.Path.GetFileName(Path);
}

/// <summary>The inbox's files by the Engine's <see cref="InboxConvention"/> (client folders, static/ and full/).</summary>
internal static class InboxFiles
{
    /// <summary>The files in ingestion order: client by client, and by file name within a client.</summary>
    public static IReadOnlyList<InboxFile> Scan(string inbox) =>
        [.. InboxConvention.Folders(inbox)
            .SelectMany(f => Directory.EnumerateFiles(f.Folder, "*.csv")
                .Where(path => !InboxConvention.IsIgnoredName(Path.GetFileName(path)))
                .Select(path => new InboxFile(path, f.Client, f.Mode)))
            .OrderBy(f => f.Client, StringComparer.Ordinal)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ThenBy(f => f.Path, StringComparer.Ordinal)];
}
