using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Inbox;

/// <summary>
/// Ingests complete inbox files: one queue per client, worked one file at a time in arrival order, different
/// clients in parallel (up to <see cref="InboxProcessorOptions.MaxParallelClients"/>). Each file is moved to
/// <c>.processing/</c>, decoded (<see cref="InboundDecoder"/>) into the data folder's temp folder, ingested by the
/// <see cref="IngestionService"/> under the client's write lock, and moved to <c>processed/</c> or <c>failed/</c>
/// with its summary. Stopping cancels the ingestion in progress before its commit, or lets the commit finish; either
/// way the file is either done or still in <c>.processing/</c>, where <see cref="Recover"/> finds it on the next start:
/// a file whose content was already applied then comes back as a duplicate and counts as processed.
/// </summary>
public sealed class InboxProcessor : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(10);

    private readonly DataFolder _data;
    private readonly IngestionService _ingestion;
    private readonly InboundDecoder _decoder;
    private readonly ClientWriteLocks _locks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _parallel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, ClientQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReceivedFile> _stale = new(StringComparer.Ordinal);
    private readonly InboxRetry _retry;
    private int _outstanding;

    public InboxProcessor(
        DataFolder data,
        IngestionService ingestion,
        InboundDecoder decoder,
        ClientWriteLocks locks,
        InboxProcessorOptions? options = null,
        TimeProvider? time = null,
        ILogger<InboxProcessor>? logger = null)
    {
        _data = data;
        _ingestion = ingestion;
        _decoder = decoder;
        _locks = locks;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<InboxProcessor>.Instance;
        _retry = new InboxRetry(data, ingestion, decoder, _time, _logger);
        options ??= new InboxProcessorOptions();
        _parallel = new SemaphoreSlim(Math.Max(1, options.MaxParallelClients));
        TempFolder = options.TempFolder ?? Path.Combine(data.Path, "tmp", "inbox");
        if (Directory.Exists(TempFolder))
        {
            Directory.Delete(TempFolder, recursive: true); // decoded copies of an earlier run
        }
    }

    /// <summary>A received file's record changed (taken, processing, processed, failed). Raised on worker threads.</summary>
    public event Action<ReceivedFile>? FileChanged;

    /// <summary>Where decoded copies are written (inside the data folder, owner-only).</summary>
    public string TempFolder { get; }

    /// <summary>Files queued or in progress.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Whether this inbox path is already queued (rescans see waiting files again).</summary>
    public bool IsQueued(string path) => _queued.ContainsKey(path);

    /// <summary>
    /// Queues the files an earlier run left in an inbox's <c>.processing/</c> (they go first), and brings the records
    /// of that inbox left waiting or processing by a stop, or failed by an interrupted <see cref="InboxRetry"/>, up to
    /// date. A record that cannot be brought up to date is logged and left as it is: it does not stop the inbox.
    /// Call once per inbox before its first scan.
    /// </summary>
    public int Recover(string inbox, string source)
    {
        var lifecycle = new InboxFileLifecycle(inbox);
        IReadOnlyList<InboxFile> left = lifecycle.LeftInProcessing();
        List<ReceivedFile> open = [.. _data.Catalog.ReceivedFiles(state: ReceivedFileState.Waiting), .. _data.Catalog.ReceivedFiles(state: ReceivedFileState.Processing)];
        foreach (ReceivedFile record in open.Where(r => r.Source == source))
        {
            try
            {
                if (File.Exists(record.Path))
                {
                    _stale[record.Path] = record; // still there: reused when the file is queued again
                }
                else
                {
                    Save(FindOutcome(lifecycle, record));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "{Client}: the record of {File} ({Path}), left open by a stop, could not be brought up to date", record.Client, record.Name, record.Path);
            }
        }

        // A failed file gone from failed/ was deleted by an operator, ingested by hand (onboard ingest --force), or moved
        // to processed/ by a retry that died before saving its record. Only the last leaves on the record where it moved
        // the file (ReceivedFile.Moving). A retry forwarded to this process meanwhile holds the client's lock from before
        // its move until after its record; with the lock busy, the record waits for the next start or retry.
        foreach (ReceivedFile record in _data.Catalog.ReceivedFiles(state: ReceivedFileState.Failed)
            .Where(r => r.Source == source && r.Moving is not null && !File.Exists(r.Path)))
        {
            using IDisposable? clientLock = _locks.TryAcquire(record.Client);
            if (clientLock is null)
            {
                _logger.LogInformation("{Client}: {File} may have been moved by an interrupted retry, but the client is busy; its record is checked at the next start or retry", record.Client, record.Name);
                continue;
            }

            try
            {
                if (_data.Catalog.FindReceivedFile(record.Id) is { } current && _retry.RepairInterrupted(current) is not null
                    && _data.Catalog.FindReceivedFile(record.Id) is { } repaired)
                {
                    Changed(repaired);
                }
            }
            catch (InboxRetryException ex)
            {
                _logger.LogWarning("{Client}: {File} is no longer in failed/ and its record could not be completed: {Problem}", record.Client, record.Name, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "{Client}: {File} is no longer in failed/ and its record could not be completed ({Path})", record.Client, record.Name, record.Path);
            }
        }

        foreach (InboxFile file in left)
        {
            _logger.LogInformation("{Client}: {File} was left in .processing/ by an earlier run; ingesting it again", file.Client, file.Name);
            Enqueue(file, inbox, source, recovered: true);
        }

        return left.Count;
    }

    /// <summary>Queues a complete inbox file behind the client's earlier files; false if it is already queued.</summary>
    public bool Enqueue(InboxFile file, string inbox, string source) => Enqueue(file, inbox, source, recovered: false);

    /// <summary>Stops taking files, cancels the ingestions in progress (a commit under way finishes) and waits for the workers.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] workers;
        lock (_queues)
        {
            workers = [.. _queues.Values.Select(q => q.Worker)];
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _parallel.Dispose();
    }

    private bool Enqueue(InboxFile file, string inbox, string source, bool recovered)
    {
        if (_stopping.IsCancellationRequested || !_queued.TryAdd(file.Path, 0))
        {
            return false;
        }

        ReceivedFile record = (_stale.TryRemove(file.Path, out ReceivedFile? earlier) ? earlier : null) ?? new ReceivedFile
        {
            Id = Guid.NewGuid().ToString("N"),
            Name = file.Name,
            Client = file.Client,
            Mode = file.Mode,
            Source = source,
            Received = _time.GetUtcNow(),
            State = ReceivedFileState.Waiting,
            Path = file.Path,
        };
        Save(record with { State = ReceivedFileState.Waiting, Path = file.Path });
        Interlocked.Increment(ref _outstanding);
        var work = new InboxWork(file, new InboxFileLifecycle(inbox), recovered, record.Id);
        lock (_queues)
        {
            if (!_queues.TryGetValue(file.Client, out ClientQueue? queue))
            {
                queue = new ClientQueue(Channel.CreateUnbounded<InboxWork>(new UnboundedChannelOptions { SingleReader = true }));
                queue.Worker = Task.Run(() => WorkAsync(file.Client, queue.Channel.Reader));
                _queues.Add(file.Client, queue);
            }

            queue.Channel.Writer.TryWrite(work);
        }

        if (!recovered)
        {
            _logger.LogInformation("{Client}: {File} received ({Mode})", file.Client, file.Name, InboxFileLifecycle.ModeName(file.Mode));
        }

        return true;
    }

    private async Task WorkAsync(string client, ChannelReader<InboxWork> reader)
    {
        CancellationToken stopping = _stopping.Token;
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                while (reader.TryRead(out InboxWork? work))
                {
                    try
                    {
                        await ProcessWithRetriesAsync(work, stopping).ConfigureAwait(false);
                    }
                    finally
                    {
                        _queued.TryRemove(work.File.Path, out _);
                        Interlocked.Decrement(ref _outstanding);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: what is still queued stays in the inbox (or .processing/) for the next start.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "{Client}: the inbox worker stopped", client);
        }
    }

    private async Task ProcessWithRetriesAsync(InboxWork work, CancellationToken stopping)
    {
        TimeSpan delay = FirstRetry;
        while (true)
        {
            IDisposable turn = await AcquireTurnAsync(work.File.Client, stopping).ConfigureAwait(false);
            try
            {
                await Task.Run(() => Process(work, stopping), stopping).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && work.ProcessingPath is not null)
            {
                // Unexpected (disk full, I/O error...): the file stays in .processing/ and the client's queue waits,
                // so its files keep their order; the retry is a recovery (an applied file comes back as a duplicate).
                _logger.LogError(ex, "{Client}: {File} could not be ingested; retrying in {Delay}", work.File.Client, work.File.Name, delay);
                string processingPath = work.ProcessingPath;
                Update(work, r => r with { State = ReceivedFileState.Waiting, Path = processingPath, Reason = $"error, retrying: {ex.Message}" });
                work.File = work.File with { Path = processingPath };
                work.Recovered = true;
            }
            finally
            {
                turn.Dispose();
            }

            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetry.Ticks));
        }
    }

    /// <summary>
    /// A share of <see cref="InboxProcessorOptions.MaxParallelClients"/> and the client's write lock. No share is kept
    /// while waiting for the lock: held elsewhere (a TUI call, a processing round, an export), it would leave the
    /// share idle while other clients' files wait for one.
    /// </summary>
    private async Task<IDisposable> AcquireTurnAsync(string client, CancellationToken stopping)
    {
        while (true)
        {
            await _parallel.WaitAsync(stopping).ConfigureAwait(false);
            if (_locks.TryAcquire(client) is { } clientLock)
            {
                return new Turn(clientLock, _parallel);
            }

            _parallel.Release();
            (await _locks.AcquireAsync(client, stopping).ConfigureAwait(false)).Dispose();
        }
    }

    /// <summary>Takes one file through its lifecycle.</summary>
    private void Process(InboxWork work, CancellationToken stopping)
    {
        long started = _time.GetTimestamp();
        InboxFile file = work.File;
        InboxFileLifecycle lifecycle = work.Lifecycle;
        IngestionResult? staged = null;
        if (work.Recovered)
        {
            work.ProcessingPath = file.Path;
            staged = lifecycle.ReadStagedSummary(file.Client, file.Name);
        }
        else
        {
            if (!File.Exists(file.Path))
            {
                Update(work, r => r with { State = ReceivedFileState.Failed, Reason = "the file was removed from the inbox before it was taken" });
                return;
            }

            stopping.ThrowIfCancellationRequested();
            work.ProcessingPath = lifecycle.MoveToProcessing(file);
            lifecycle.ClearStaged(file.Client, file.Name);
        }

        string processingPath = work.ProcessingPath!;
        string name = Path.GetFileName(processingPath);
        Update(work, r => r with { State = ReceivedFileState.Processing, Path = processingPath, Reason = null });

        IngestionResult result;
        try
        {
            using DecodedFile decoded = _decoder.Decode(processingPath, TempFolder, stopping);
            result = _ingestion.Ingest(
                new IngestionRequest(decoded.Path)
                {
                    Client = file.Client,
                    Mode = file.Mode,
                    DisplayName = name,
                    ReportFolder = lifecycle.StagingReports(file.Client),
                },
                progress: null,
                stopping);
        }
        catch (InboundDecodingException ex)
        {
            result = new IngestionResult
            {
                Client = file.Client,
                FileName = name,
                Mode = file.Mode,
                Outcome = FileOutcome.Refused,
                DryRun = false,
                Reason = ex.Message,
            };
        }
        catch (OperationCanceledException)
        {
            _logger.LogInformation("{Client}: {File} interrupted by the shutdown; it stays in .processing/ and is ingested on the next start", file.Client, name);
            Update(work, r => r with { State = ReceivedFileState.Waiting, Reason = "interrupted by a shutdown; taken again from .processing/ on the next start" });
            throw;
        }

        // Recovered after a crash between the commit and the move: the content is applied, by this very file.
        bool recoveredDuplicate = work.Recovered && result.Outcome == FileOutcome.Duplicate;
        if (recoveredDuplicate && staged is { Outcome: FileOutcome.Applied } && staged.ContentHash == result.ContentHash)
        {
            result = staged;
        }

        bool processed = result.Outcome == FileOutcome.Applied || recoveredDuplicate;
        if (!processed)
        {
            result = KeptForRetry(result, name);
        }

        result = lifecycle.Complete(processingPath, processed, result, _time.GetUtcNow(), out string finalPath);
        lifecycle.ClearStaged(file.Client, name);
        TimeSpan duration = _time.GetElapsedTime(started);
        Update(work, r => r with
        {
            State = processed ? ReceivedFileState.Processed : ReceivedFileState.Failed,
            Path = finalPath,
            Outcome = result.Outcome,
            Reason = result.Reason,
            RowsRead = result.RowsRead,

            // As in the journal: a refused or duplicate file applied nothing.
            RowsApplied = processed ? result.RowsApplied : 0,
            RowsRejected = result.RowsRejected,
            Duration = duration,
            Completed = _time.GetUtcNow(),
            ReportPath = result.SummaryPath,
            RejectReportPath = result.RejectReportPath,
        });
        if (processed)
        {
            _logger.LogInformation("{Client}: {File} processed: {Outcome}, {Rows} rows, {Rejected} rejected, {Duration:0.00} s", file.Client, name, result.Outcome, result.RowsRead, result.RowsRejected, duration.TotalSeconds);
        }
        else
        {
            _logger.LogWarning("{Client}: {File} failed: {Reason}", file.Client, name, result.Reason);
        }
    }

    /// <summary>The operator's command that applies a file the guards refused (<see cref="InboxRetry"/>).</summary>
    public static string RetryCommand(string name, string client) =>
        $"onboard files retry {(name.Any(char.IsWhiteSpace) ? $"\"{name}\"" : name)} --client {client} --force";

    /// <summary>
    /// A refusal of a file kept in <c>failed/</c> as <paramref name="name"/>: when <c>--force</c> would apply it, its
    /// reason ends with where the file is kept and the command that forces it (nobody can pass it to a dropped file).
    /// </summary>
    internal static IngestionResult KeptForRetry(IngestionResult refused, string name) =>
        refused.Forceable
            ? refused with { Reason = $"{refused.Reason}. The file is kept in {InboxConvention.FailedFolder}/; to apply it anyway: {RetryCommand(name, refused.Client)}" }
            : refused;

    /// <summary>A record left open by a stop whose file has moved on: finds where it ended up, if it can.</summary>
    private static ReceivedFile FindOutcome(InboxFileLifecycle lifecycle, ReceivedFile record)
    {
        foreach ((string folder, ReceivedFileState state) in new[] { (InboxConvention.ProcessedFolder, ReceivedFileState.Processed), (InboxConvention.FailedFolder, ReceivedFileState.Failed) })
        {
            string root = Path.Combine(lifecycle.Inbox, folder);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (string summary in Directory.EnumerateFiles(root, record.Name + ".summary.json", SearchOption.AllDirectories))
            {
                if (Path.GetFileName(Path.GetDirectoryName(summary)) == record.Client && File.GetLastWriteTimeUtc(summary) >= record.Received.UtcDateTime.AddSeconds(-1))
                {
                    IngestionResult result = IngestionSummary.Read(summary);
                    return record with
                    {
                        State = state,
                        Path = summary[..^".summary.json".Length],
                        Outcome = result.Outcome,
                        Reason = result.Reason,
                        RowsRead = result.RowsRead,
                        RowsApplied = result.RowsApplied,
                        RowsRejected = result.RowsRejected,
                        ReportPath = summary,
                        RejectReportPath = result.RejectReportPath,
                    };
                }
            }
        }

        return record with { State = ReceivedFileState.Failed, Reason = "the file left the inbox while the watcher was stopped; no outcome was found for it" };
    }

    private void Update(InboxWork work, Func<ReceivedFile, ReceivedFile> change)
    {
        if (_data.Catalog.FindReceivedFile(work.RecordId) is { } record)
        {
            Save(change(record));
        }
    }

    private void Save(ReceivedFile record)
    {
        _data.Catalog.SaveReceivedFile(record);
        Changed(record);
    }

    private void Changed(ReceivedFile record)
    {
        try
        {
            FileChanged?.Invoke(record);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "A FileChanged handler failed");
        }
    }

    /// <summary>One queued file; <see cref="ProcessingPath"/> is set once it is in <c>.processing/</c>.</summary>
    private sealed class InboxWork(InboxFile file, InboxFileLifecycle lifecycle, bool recovered, string recordId)
    {
        public InboxFile File { get; set; } = file;

        public InboxFileLifecycle Lifecycle { get; } = lifecycle;

        public bool Recovered { get; set; } = recovered;

        public string RecordId { get; } = recordId;

        public string? ProcessingPath { get; set; }
    }

    /// <summary>A worker's right to ingest: the client's lock and a share of the parallelism, released together.</summary>
    private sealed class Turn(IDisposable clientLock, SemaphoreSlim parallel) : IDisposable
    {
        public void Dispose()
        {
            clientLock.Dispose();
            parallel.Release();
        }
    }

    private sealed class ClientQueue(Channel<InboxWork> channel)
    {
        public Channel<InboxWork> Channel { get; } = channel;

        public Task Worker { get; set; } = Task.CompletedTask;
    }
}

/// <summary>Options of the <see cref="InboxProcessor"/>.</summary>
public sealed class InboxProcessorOptions
{
    /// <summary>How many clients may ingest at the same time (each client's files are always one at a time).</summary>
    public int MaxParallelClients { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Where decoded copies go (default <c>&lt;data&gt;/tmp/inbox</c>).</summary>
    public string? TempFolder { get; set; }
}
