using System.Globalization;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Ingestion.Parsing;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Inbox;

/// <summary>
/// The moves of a file through an inbox, each a rename within the inbox's file system made durable by flushing
/// both folders: <c>&lt;client folder&gt;/x.csv</c> → <c>.processing/&lt;client&gt;/&lt;mode&gt;/x.csv</c> →
/// <c>processed/&lt;date&gt;/&lt;client&gt;/x.csv</c> or <c>failed/&lt;date&gt;/&lt;client&gt;/x.csv</c>, with
/// <c>x.csv.summary.json</c> (and <c>x.csv.rejects.csv</c>) beside it. While a file is ingested its reports are
/// staged in <c>.processing/&lt;client&gt;/.reports/</c>.
/// </summary>
public sealed class InboxFileLifecycle(string inbox)
{
    public string Inbox { get; } = Path.GetFullPath(inbox);

    public string ProcessingRoot => Path.Combine(Inbox, InboxConvention.ProcessingFolder);

    public string ProcessingFolder(string client, IngestionMode mode) =>
        Path.Combine(ProcessingRoot, client, ModeName(mode));

    /// <summary>Where the ingestion service writes a processing file's summary and reject report.</summary>
    public string StagingReports(string client) => Path.Combine(ProcessingRoot, client, ".reports");

    public string DoneFolder(bool processed, string client, DateTimeOffset when) =>
        Path.Combine(Inbox, processed ? InboxConvention.ProcessedFolder : InboxConvention.FailedFolder, DateFolderName(when), client);

    /// <summary>Files left in <c>.processing/</c> by a stop or crash, per client in name order.</summary>
    public IReadOnlyList<InboxFile> LeftInProcessing()
    {
        var files = new List<InboxFile>();
        if (!Directory.Exists(ProcessingRoot))
        {
            return files;
        }

        foreach (string clientFolder in Directory.EnumerateDirectories(ProcessingRoot).Order(StringComparer.Ordinal))
        {
            string client = Path.GetFileName(clientFolder);
            foreach (IngestionMode mode in Enum.GetValues<IngestionMode>())
            {
                string folder = ProcessingFolder(client, mode);
                if (Directory.Exists(folder))
                {
                    files.AddRange(new DirectoryInfo(folder).EnumerateFiles()
                        .Where(f => f.LinkTarget is null && !InboxConvention.IsIgnoredName(f.Name))
                        .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
                        .Select(f => new InboxFile(f.FullName, client, mode)));
                }
            }
        }

        return files;
    }

    /// <summary>Moves an inbox file into <c>.processing/</c>; returns its new path.</summary>
    public string MoveToProcessing(InboxFile file)
    {
        string folder = ProcessingFolder(file.Client, file.Mode);
        Directory.CreateDirectory(folder);
        string target = UniquePath(folder, file.Name);
        File.Move(file.Path, target);
        DurableFile.FlushDirectory(folder);
        DurableFile.FlushDirectory(Path.GetDirectoryName(file.Path)!);
        return target;
    }

    /// <summary>
    /// Writes the final summary beside the file's final place, moves its reject report and then the file itself out
    /// of <c>.processing/</c>. The summary goes first: a crash in between leaves the file in <c>.processing/</c>,
    /// where recovery finds it (already applied: a duplicate) and finishes the move.
    /// </summary>
    public IngestionResult Complete(string processingPath, bool processed, IngestionResult result, DateTimeOffset when, out string finalPath)
    {
        finalPath = DonePath(processed, result.Client, result.FileName, when);
        return Complete(processingPath, finalPath, result);
    }

    /// <summary>As the other <c>Complete</c>, to a <paramref name="finalPath"/> taken from <see cref="DonePath"/> beforehand.</summary>
    public IngestionResult Complete(string processingPath, string finalPath, IngestionResult result)
    {
        string folder = Path.GetDirectoryName(finalPath)!;
        Directory.CreateDirectory(folder);
        result = WriteReports(finalPath, result);
        File.Move(processingPath, finalPath);
        DurableFile.FlushDirectory(folder);
        DurableFile.FlushDirectory(Path.GetDirectoryName(processingPath)!);
        return result;
    }

    /// <summary>Where a file named <paramref name="name"/> completed now goes: that name in the day's folder, or <c>x-2.csv</c>... when taken.</summary>
    public string DonePath(bool processed, string client, string name, DateTimeOffset when) =>
        UniquePath(DoneFolder(processed, client, when), name);

    /// <summary>
    /// Puts a file's reports beside <paramref name="path"/>: moves its staged reject report there and writes its
    /// summary (atomically, replacing an earlier one).
    /// </summary>
    public IngestionResult WriteReports(string path, IngestionResult result)
    {
        string? rejects = null;
        if (result.RejectReportPath is { } staged && File.Exists(staged))
        {
            rejects = RejectReportPathFor(path);
            File.Move(staged, rejects, overwrite: true);
        }

        result = result with { SummaryPath = path + ".summary.json", RejectReportPath = rejects };
        IngestionSummary.Write(result.SummaryPath, result);
        return result;
    }

    /// <summary>The staged summary of an earlier attempt at a file, if its reports were written.</summary>
    public IngestionResult? ReadStagedSummary(string client, string fileName)
    {
        string path = Path.Combine(StagingReports(client), fileName + ".summary.json");
        try
        {
            return File.Exists(path) ? IngestionSummary.Read(path) : null;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Deletes a file's staged reports (before a fresh attempt, and after it completed).</summary>
    public void ClearStaged(string client, string fileName)
    {
        string folder = StagingReports(client);
        if (!Directory.Exists(folder))
        {
            return;
        }

        File.Delete(Path.Combine(folder, fileName + ".summary.json"));
        File.Delete(RejectReportWriter.PathFor(Path.Combine(folder, fileName)));
    }

    public static string ModeName(IngestionMode mode) => mode.ToString().ToLowerInvariant();

    private static string RejectReportPathFor(string file) => RejectReportWriter.PathFor(file);

    /// <summary><paramref name="name"/> in <paramref name="folder"/>, or <c>x-2.csv</c>, <c>x-3.csv</c>... when taken.</summary>
    internal static string UniquePath(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        (string stem, string rest) = SplitName(name);
        for (int n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}{rest}"));
        }

        return path;
    }

    /// <summary><c>x.csv.gz</c> → (<c>x</c>, <c>.csv.gz</c>): where <see cref="UniquePath"/> puts its number.</summary>
    private static (string Stem, string Suffix) SplitName(string name)
    {
        int dot = name.IndexOf('.', 1);
        return dot < 0 ? (name, string.Empty) : (name[..dot], name[dot..]);
    }

    private static string DateFolderName(DateTimeOffset when) => when.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
