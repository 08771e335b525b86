using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Inbox;

/// <summary>A complete file found in an inbox, with the client and mode its place selects.</summary>
/// <param name="Path">Its full path in the inbox.</param>
/// <param name="Client">The client: the first folder under the inbox, or <c>default</c> for files at the top.</param>
/// <param name="Mode">Delta, or full/static when it sits in a <c>full/</c> or <c>static/</c> folder.</param>
public sealed record InboxFile(string Path, string Client, IngestionMode Mode)
{
    public string Name => System.IO.Path.GetFileName(Path);
}

/// <summary>
/// The local inbox convention (documented in <c>inbox/README.md</c>):
/// <code>
/// inbox/x.csv                  client default, delta
/// inbox/full/x.csv             client default, full refresh      (static/ for static)
/// inbox/acme/x.csv             client acme, delta
/// inbox/acme/full/x.csv        client acme, full refresh         (acme/static/ for static)
/// inbox/.processing/...        files being ingested (the watcher's own)
/// inbox/processed/&lt;date&gt;/&lt;client&gt;/   applied files with their summary and reject report
/// inbox/failed/&lt;date&gt;/&lt;client&gt;/      refused files with their summary
/// </code>
/// Ignored: names starting with <c>.</c> or ending in <c>.part</c> or <c>.tmp</c>, <c>README</c>/<c>README.md</c>,
/// symbolic links (never followed), folders whose name is not a valid client name, and anything deeper.
/// </summary>
public static class InboxConvention
{
    public const string ProcessingFolder = ".processing";
    public const string ProcessedFolder = "processed";
    public const string FailedFolder = "failed";
    public const string FullFolder = "full";
    public const string StaticFolder = "static";

    /// <summary>Folder names at the top of an inbox that are not clients.</summary>
    public static IReadOnlySet<string> ReservedNames { get; } =
        new HashSet<string>([ProcessedFolder, FailedFolder, FullFolder, StaticFolder], StringComparer.Ordinal);

    /// <summary>Whether a file with this name is left alone (partial uploads, hidden files, the README).</summary>
    public static bool IsIgnoredName(string name) =>
        name.Length == 0
        || name.StartsWith('.')
        || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase)
        || name.Equals("README", StringComparison.OrdinalIgnoreCase)
        || name.Equals("README.md", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a folder directly in the inbox names a client.</summary>
    public static bool IsClientFolder(string name) =>
        !name.StartsWith('.') && !ReservedNames.Contains(name) && IsValidClientName(name);

    /// <summary>
    /// What a path in the inbox is: an inbox file (client and mode), or null when the convention ignores it.
    /// Only the name and place are checked here; <see cref="InboxScanner"/> also skips symbolic links.
    /// </summary>
    public static InboxFile? Classify(string inbox, string path)
    {
        string relative = System.IO.Path.GetRelativePath(inbox, path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative))
        {
            return null;
        }

        string[] parts = relative.Split(System.IO.Path.DirectorySeparatorChar);
        string name = parts[^1];
        if (IsIgnoredName(name))
        {
            return null;
        }

        string client = DataFolder.DefaultClient;
        int next = 0;
        if (parts.Length >= 2 && IsClientFolder(parts[0]))
        {
            client = parts[0];
            next = 1;
        }

        int remaining = parts.Length - 1 - next;
        if (remaining == 0)
        {
            return new InboxFile(path, client, IngestionMode.Delta);
        }

        if (remaining == 1)
        {
            return parts[next] switch
            {
                FullFolder => new InboxFile(path, client, IngestionMode.Full),
                StaticFolder => new InboxFile(path, client, IngestionMode.Static),
                _ => null,
            };
        }

        return null;
    }

    /// <summary>The folders an inbox holds files in, each with its client and mode (only those that exist).</summary>
    public static IEnumerable<(string Folder, string Client, IngestionMode Mode)> Folders(string inbox)
    {
        var root = new DirectoryInfo(inbox);
        if (!root.Exists)
        {
            yield break;
        }

        foreach ((string folder, IngestionMode mode) in ModeFolders(root))
        {
            yield return (folder, DataFolder.DefaultClient, mode);
        }

        foreach (DirectoryInfo sub in root.EnumerateDirectories())
        {
            if (sub.LinkTarget is null && IsClientFolder(sub.Name))
            {
                foreach ((string folder, IngestionMode mode) in ModeFolders(sub))
                {
                    yield return (folder, sub.Name, mode);
                }
            }
        }
    }

    private static IEnumerable<(string, IngestionMode)> ModeFolders(DirectoryInfo folder)
    {
        yield return (folder.FullName, IngestionMode.Delta);
        foreach ((string name, IngestionMode mode) in new[] { (FullFolder, IngestionMode.Full), (StaticFolder, IngestionMode.Static) })
        {
            var sub = new DirectoryInfo(System.IO.Path.Combine(folder.FullName, name));
            if (sub.Exists && sub.LinkTarget is null)
            {
                yield return (sub.FullName, mode);
            }
        }
    }

    private static bool IsValidClientName(string name)
    {
        try
        {
            DataFolder.ValidateClientName(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
