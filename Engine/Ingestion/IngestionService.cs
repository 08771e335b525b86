using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Clients;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion.Parsing;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Ingestion;

/// <summary>
/// Applies onboarding files to a client's segments: a file's changes are committed whole, or nothing changes
/// and the result says exactly why. Rejected rows are left out and reported; the whole file is refused when
/// it cannot be read, has too many bad rows, or would shrink or empty a segment past the guards.
/// </summary>
public sealed class IngestionService(DataFolder data, ClientPolicies policies, TimeProvider? time = null, ILogger<IngestionService>? logger = null)
{
    private const int ProgressEvery = 1 << 16;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger<IngestionService>.Instance;

    /// <summary>The same thresholds for every client.</summary>
    public IngestionService(DataFolder data, IngestionPolicy? policy = null, TimeProvider? time = null, ILogger<IngestionService>? logger = null)
        : this(data, ClientPolicies.Uniform(policy), time, logger)
    {
    }

    public IngestionResult Ingest(IngestionRequest request, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        long started = _time.GetTimestamp();
        DateTimeOffset received = _time.GetUtcNow();
        ClientStore store = data.Client(request.Client);
        IngestionPolicy policy = policies.For(store.Name).Ingestion;
        string fileName = request.DisplayName ?? Path.GetFileName(request.FilePath);
        string hash = HashFile(request.FilePath);
        var timings = new IngestionTimings { Hash = _time.GetElapsedTime(started) };
        var result = new IngestionResult
        {
            Client = store.Name,
            FileName = fileName,
            Mode = request.Mode,
            Outcome = FileOutcome.Applied,
            DryRun = request.DryRun,
            ContentHash = hash,
            NamedAs = OnboardingFileName.TryParse(fileName, out OnboardingFileName? named) ? named : null,
            Timings = timings,
        };

        if (!request.Force && store.FindApplied(hash) is { } earlier)
        {
            result = result with
            {
                Outcome = FileOutcome.Duplicate,
                Forceable = true,
                Reason = $"the same content was already applied on {earlier.Completed:yyyy-MM-dd HH:mm:ss} UTC as {earlier.FileName}; use --force to apply it again",
            };
            return Finish(store, request, result, [], [], received, started);
        }

        var rejects = new List<RowError>();
        long sequence = store.NextSequence;
        try
        {
            long phase = _time.GetTimestamp();
            FilePlan plan = Read(store, request, rejects, progress, cancellationToken);
            timings = timings with { Read = _time.GetElapsedTime(phase) };
            result = result with
            {
                Timings = timings,
                RowsRead = plan.RowsRead,
                RowsRejected = rejects.Count,
                RowsApplied = plan.RowsRead - rejects.Count,
                NewIds = plan.NewIds,
            };
            CheckRejectedShare(policy, plan.RowsRead, rejects.Count);
            phase = _time.GetTimestamp();
            List<(SegmentOutcome Outcome, SegmentChange? Change, RoaringBitmap Members)> segments = Resolve(store, request, plan, policy);
            result = result with { Segments = [.. segments.Select(s => s.Outcome)], Timings = timings with { Resolve = _time.GetElapsedTime(phase) } };
            return Finish(store, request, result, rejects, [.. segments.Where(s => s.Change is not null).Select(s => (s.Change!, s.Members))], received, started);
        }
        catch (Exception ex) when (ex is OnboardingFileException or IngestionRefusedException)
        {
            result = result with { Outcome = FileOutcome.Refused, Reason = ex.Message, Forceable = ex is IngestionRefusedException { Forceable: true }, Segments = [] };
            return Finish(store, request, result, rejects, [], received, started);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not StoreWriteException && store.NextSequence == sequence)
        {
            // Before the commit point (e.g. the dictionary could not write its records): nothing was committed.
            throw new StoreWriteException(
                $"Could not ingest {fileName} for client {store.Name}: {ex.Message} Nothing was committed; the client's segments are as they were.", ex);
        }
    }

    /// <summary>
    /// Reads the file and records every accepted row's segment operations. Two threads: this one parses and
    /// checks rows and queues them in batches; the other resolves each batch's IDs through the dictionary and
    /// appends the operations, batch after batch in file order. Only that thread touches the dictionaries and
    /// the operations until it has finished.
    /// </summary>
    private FilePlan Read(ClientStore store, IngestionRequest request, List<RowError> rejects, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using OnboardingFileReader reader = OnboardingFileReader.Open(request.FilePath, OnboardingReadOptions.Default with { HashEmails = request.HashEmails });
        var members = new MemberResolver(store, request.DryRun);
        var targets = new List<SegmentTarget?>();
        using var queued = new BlockingCollection<(RowBatch Rows, SegmentOperations?[] Operations)>(boundedCapacity: 4);
        var spare = new ConcurrentBag<RowBatch>();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task applying = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach ((RowBatch rows, SegmentOperations?[] operations) in queued.GetConsumingEnumerable())
                    {
                        rows.Apply(members, operations);
                        spare.Add(rows);
                    }
                }
                catch
                {
                    failed.Cancel();
                    throw;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var batch = new RowBatch();
        try
        {
            while (reader.TryReadNext(out OnboardingRow row, out RowError? error))
            {
                if (reader.RowsRead % ProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(reader.RowsRead);
                }

                while (targets.Count < reader.Segments.Count)
                {
                    targets.Add(null);
                }

                error ??= CheckRow(store, request.Mode, row, reader.Segments, targets);
                if (error is not null)
                {
                    rejects.Add(error);
                    continue;
                }

                if (!batch.TryAdd(row.IdType, row.Id, row.AddIndexes, row.RemoveIndexes))
                {
                    Queue();
                    batch.TryAdd(row.IdType, row.Id, row.AddIndexes, row.RemoveIndexes);
                }
            }

            Queue();
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The other thread failed; its exception is thrown below.
        }
        finally
        {
            queued.CompleteAdding();
            Task.WhenAny(applying).Wait(CancellationToken.None);
        }

        applying.GetAwaiter().GetResult();
        progress?.Report(reader.RowsRead);
        if (reader.RowsRead == 0)
        {
            throw new IngestionRefusedException($"{reader.FileName}: the file has a header but no rows; nothing to apply.");
        }

        return new FilePlan(reader.RowsRead, members.NewIds, [.. targets.Where(t => t is not null).Select(t => t!)]);

        void Queue()
        {
            queued.Add((batch, [.. targets.Select(t => t?.Operations)]), failed.Token);
            batch = spare.TryTake(out RowBatch? reused) ? reused : new RowBatch();
        }
    }

    /// <summary>The rules that depend on the mode and on what the store already holds.</summary>
    private static RowError? CheckRow(ClientStore store, IngestionMode mode, OnboardingRow row, IReadOnlyList<SegmentName> names, List<SegmentTarget?> targets)
    {
        if (mode != IngestionMode.Delta && row.Removes.Length > 0)
        {
            string kind = mode == IngestionMode.Full ? "a full refresh" : "a static";
            return new RowError(row.Line, 4, "Remove", $"Remove entries are not allowed in {kind} file", row.Removes[0].ToString());
        }

        foreach (int index in row.AddIndexes)
        {
            if (Target(index) is { Problem: { } problem })
            {
                return new RowError(row.Line, 3, "Add", problem, names[index].ToString());
            }
        }

        foreach (int index in row.RemoveIndexes)
        {
            if (Target(index) is { Problem: { } problem })
            {
                return new RowError(row.Line, 4, "Remove", problem, names[index].ToString());
            }
        }

        return null;

        SegmentTarget Target(int index) => targets[index] ??= SegmentTarget.For(store, mode, names[index]);
    }

    private static void CheckRejectedShare(IngestionPolicy policy, long rowsRead, long rejected)
    {
        double share = (double)rejected / rowsRead;
        if (share > policy.MaxRejectedShare)
        {
            throw new IngestionRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"{rejected:N0} of {rowsRead:N0} rows ({Percent(share)}) were rejected, above the {Percent(policy.MaxRejectedShare)} limit; nothing was applied (see the reject report)"));
        }
    }

    private static List<(SegmentOutcome, SegmentChange?, RoaringBitmap)> Resolve(ClientStore store, IngestionRequest request, FilePlan plan, IngestionPolicy policy)
    {
        var resolved = new List<(SegmentOutcome, SegmentChange?, RoaringBitmap)>();
        int nextId = store.NextSegmentId();
        foreach (SegmentTarget target in plan.Targets.Where(t => t.Problem is null && t.Operations.Count > 0))
        {
            (RoaringBitmap adds, RoaringBitmap removes) = target.Operations.Resolve();
            RoaringBitmap before = target.Existing is null ? new RoaringBitmap() : store.ReadMembers(target.Existing);
            // Forgotten IDs (right to erasure) never come back through an upload.
            RoaringBitmap after = store.WithoutSuppressed(request.Mode == IngestionMode.Delta ? (before - removes) | adds : adds);
            long added = after.AndNotCardinality(before);
            long removed = before.AndNotCardinality(after);
            CheckGuards(policy, request, target, before.Cardinality, after.Cardinality);

            SegmentType type = target.Existing?.Type ?? (request.Mode == IngestionMode.Static ? SegmentType.Static : SegmentType.Dynamic);
            var outcome = new SegmentOutcome(target.Name.Group, target.Name.Segment, type, target.Existing is null, before.Cardinality, after.Cardinality, added, removed);
            bool changes = target.Existing is null ? !after.IsEmpty : added + removed > 0;
            SegmentChange? change = changes
                ? new SegmentChange(
                    target.Existing?.Id ?? nextId++,
                    target.Name.Group,
                    target.Name.Segment,
                    type,
                    (target.Existing?.CurrentVersion ?? 0) + 1,
                    after.Cardinality,
                    added,
                    removed)
                : null;
            resolved.Add((outcome, change, after));
        }

        return resolved;
    }

    private static void CheckGuards(IngestionPolicy policy, IngestionRequest request, SegmentTarget target, long before, long after)
    {
        if (request.Force || before == 0)
        {
            return;
        }

        if (request.Mode == IngestionMode.Full && after < before * (1 - policy.MaxRefreshShrink))
        {
            throw new IngestionRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"the refresh would shrink {target.Name} from {before:N0} to {after:N0} members ({Percent((double)(before - after) / before)} fewer), more than the {Percent(policy.MaxRefreshShrink)} guard allows; a truncated file must not wipe a segment (use --force if this is intended)"),
                forceable: true);
        }

        if (request.Mode == IngestionMode.Delta && after == 0 && before >= policy.EmptyingGuardMinimumSize)
        {
            throw new IngestionRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"the file would remove every one of the {before:N0} members of {target.Name}; use --force if this is intended"),
                forceable: true);
        }
    }

    private IngestionResult Finish(
        ClientStore store,
        IngestionRequest request,
        IngestionResult result,
        IReadOnlyList<RowError> rejects,
        IReadOnlyList<(SegmentChange Change, RoaringBitmap Members)> versions,
        DateTimeOffset received,
        long started)
    {
        result = result with { Duration = _time.GetElapsedTime(started) };
        if (request.DryRun)
        {
            return result;
        }

        string reportBase = Path.Combine(request.ReportFolder ?? Path.GetDirectoryName(Path.GetFullPath(request.FilePath))!, result.FileName);
        if (rejects.Count > 0)
        {
            if (request.ReportFolder is { } reportFolder)
            {
                DataFolder.CreatePrivateDirectory(reportFolder);
            }

            string reportPath = RejectReportWriter.PathFor(reportBase);
            using (RejectReportWriter writer = RejectReportWriter.Create(reportPath))
            {
                foreach (RowError error in rejects)
                {
                    writer.Write(error);
                }
            }

            result = result with { RejectReportPath = reportPath };
        }

        long commitStarted = _time.GetTimestamp();
        result = result with { SummaryPath = reportBase + ".summary.json" };
        var entry = new JournalEntry
        {
            Sequence = store.NextSequence,
            FileName = result.FileName,
            ContentHash = result.ContentHash,
            Mode = request.Mode,
            Received = received,
            Completed = _time.GetUtcNow(),
            Outcome = result.Outcome,
            Reason = result.Reason,
            RowsRead = result.RowsRead,
            RowsApplied = result.Outcome == FileOutcome.Applied ? result.RowsApplied : 0,
            RowsRejected = result.RowsRejected,
            Changes = [.. versions.Select(v => v.Change)],
        };
        store.Commit(entry, versions);
        if (request.Force)
        {
            AuditLog.For(data.Path, _time).Record(request.Actor ?? AuditLog.DefaultActor, AuditActions.IngestForced, store.Name, result.FileName,
                $"{result.Mode.ToString().ToLowerInvariant()} file {result.Outcome.ToString().ToLowerInvariant()} with --force{(result.Reason is null ? string.Empty : ": " + result.Reason)}");
        }

        result = result with { Timings = result.Timings with { Commit = _time.GetElapsedTime(commitStarted) } };
        IngestionSummary.Write(result.SummaryPath, result);
        _logger.LogInformation(
            "{Client}: {File} {Outcome} ({Rows} rows, {Rejected} rejected, {Segments} segments changed){Reason}",
            store.Name, result.FileName, result.Outcome, result.RowsRead, result.RowsRejected, versions.Count, result.Reason is null ? string.Empty : ": " + result.Reason);
        return result;
    }

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>The SHA-256 of a file's bytes, as duplicates are recognised by.</summary>
    internal static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private sealed record FilePlan(long RowsRead, long NewIds, IReadOnlyList<SegmentTarget> Targets);

    /// <summary>A segment a file names: what the store holds of it, whether the mode allows touching it, its operations.</summary>
    private sealed class SegmentTarget(SegmentName name, SegmentInfo? existing, string? problem)
    {
        public SegmentName Name { get; } = name;

        public SegmentInfo? Existing { get; } = existing;

        /// <summary>Why rows may not touch this segment in this mode, or null.</summary>
        public string? Problem { get; } = problem;

        public SegmentOperations Operations { get; } = new();

        public static SegmentTarget For(ClientStore store, IngestionMode mode, SegmentName name)
        {
            SegmentInfo? existing = store.FindSegment(name.Group, name.Segment);
            string? problem = (mode, existing) switch
            {
                (_, { Type: SegmentType.Static }) =>
                    $"segment {name} is static, uploaded once on {existing.Created:yyyy-MM-dd}; it cannot be changed",
                (IngestionMode.Static, { Type: SegmentType.Dynamic }) =>
                    $"segment {name} already exists as a dynamic segment; a static file can only create new segments",
                _ => null,
            };
            return new SegmentTarget(name, existing, problem);
        }
    }
}
