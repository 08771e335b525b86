using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Hosting;

namespace Onboarding.Tui.Inbox;

/// <summary>Where the inbox is and whether to watch it.</summary>
internal sealed record InboxOptions(string Path, bool Watch)
{
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// An interim inbox watcher: ingests the files in the inbox on start, then rescans every few seconds. Each file
/// is ingested once; files are never moved or deleted (the real watcher, with its file lifecycle, comes later).
/// Reports go to <c>&lt;data&gt;/reports/&lt;client&gt;/</c>.
/// </summary>
internal sealed class InboxIngestion(EngineAccess engine, InboxActivity activity, InboxOptions options, ILogger<InboxIngestion> logger) : BackgroundService
{
    private readonly Dictionary<string, (long Length, DateTime Modified)> _seen = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Watch)
        {
            activity.Set("inbox: not watched");
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                logger.LogError(ex, "Inbox scan of {Inbox} failed", options.Path);
                activity.Set("inbox: error, see the log");
            }

            try
            {
                await Task.Delay(options.ScanInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Ingests every inbox file not seen before; returns how many were handed to the engine.</summary>
    internal async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        int ingested = 0;
        foreach (InboxFile file in InboxFiles.Scan(options.Path))
        {
            var info = new FileInfo(file.Path);
            if (!info.Exists || (_seen.TryGetValue(file.Path, out var known) && known == (info.Length, info.LastWriteTimeUtc)))
            {
                continue;
            }

            activity.Ingesting(file, 0);
            IngestionResult? result = await engine.RunAsync(data => IngestIfNew(data, file), cancellationToken).ConfigureAwait(false);
            _seen[file.Path] = (info.Length, info.LastWriteTimeUtc);
            if (result is not null)
            {
                ingested++;
                activity.Ingested(result);
            }
        }

        activity.Set(string.Create(CultureInfo.InvariantCulture, $"inbox: idle ({DateTime.Now:HH:mm:ss})"));
        return ingested;
    }

    private IngestionResult? IngestIfNew(DataFolder data, InboxFile file)
    {
        // A file already in the client's journal under the same name and content was handled on an earlier start.
        string hash = HashFile(file.Path);
        if (data.Catalog.Files(file.Client).Any(e => e.ContentHash == hash && e.FileName == file.Name))
        {
            return null;
        }

        string reports = engine.ReportFolder(file.Client);
        DataFolder.CreatePrivateDirectory(reports);
        var progress = new Progress(activity, file);
        IngestionResult result = new IngestionService(data).Ingest(
            new IngestionRequest(file.Path) { Client = file.Client, Mode = file.Mode, ReportFolder = reports },
            progress);
        logger.LogInformation("{Client}: {File} ({Mode}) {Outcome}: {Rows} rows, {Rejected} rejected{Reason}", result.Client, result.FileName, result.Mode, result.Outcome, result.RowsRead, result.RowsRejected, result.Reason is null ? string.Empty : ": " + result.Reason);
        return result;
    }

    private static string HashFile(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private sealed class Progress(InboxActivity activity, InboxFile file) : IProgress<long>
    {
        public void Report(long value) => activity.Ingesting(file, value);
    }
}
