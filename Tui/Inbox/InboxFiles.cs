using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Tui.Inbox;

/// <summary>An onboarding file found in the inbox, with the client and mode its place selects.</summary>
internal sealed record InboxFile(string Path, string Client, IngestionMode Mode)
{
    public string Name => System.IO.Path.GetFileName(Path);
}

/// <summary>
/// The inbox convention: <c>inbox/*.csv</c> belongs to the <c>default</c> client, <c>inbox/&lt;client&gt;/*.csv</c>
/// to that client; a <c>static/</c> or <c>full/</c> subfolder selects the mode (delta otherwise).
/// </summary>
internal static class InboxFiles
{
    private static readonly (string Folder, IngestionMode Mode)[] Modes = [(string.Empty, IngestionMode.Delta), ("static", IngestionMode.Static), ("full", IngestionMode.Full)];

    /// <summary>The files in ingestion order: client by client, and by file name within a client.</summary>
    public static IReadOnlyList<InboxFile> Scan(string inbox)
    {
        var files = new List<InboxFile>();
        if (!Directory.Exists(inbox))
        {
            return files;
        }

        AddClient(files, inbox, DataFolder.DefaultClient);
        foreach (string folder in Directory.EnumerateDirectories(inbox))
        {
            string name = Path.GetFileName(folder);
            if (name is "static" or "full" || name.StartsWith('.') || !IsClientName(name))
            {
                continue;
            }

            AddClient(files, folder, name);
        }

        return [.. files
            .OrderBy(f => f.Client, StringComparer.Ordinal)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ThenBy(f => f.Path, StringComparer.Ordinal)];
    }

    private static void AddClient(List<InboxFile> files, string folder, string client)
    {
        foreach ((string sub, IngestionMode mode) in Modes)
        {
            string path = sub.Length == 0 ? folder : Path.Combine(folder, sub);
            if (!Directory.Exists(path))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(path, "*.csv"))
            {
                files.Add(new InboxFile(file, client, mode));
            }
        }
    }

    private static bool IsClientName(string name)
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
