using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Exports.Csv;
using Onboarding.Engine.Exports.Destinations;
using Onboarding.Engine.Exports.Pgp;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Security;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Sftp;
using Onboarding.Engine.Storage;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Onboarding.Engine.Exports;

/// <summary>What <see cref="ExportRunner.ExportToFileAsync"/> wrote.</summary>
public sealed record LocalExport(string Path, long Rows, long Bytes);

/// <summary>
/// Runs one client's exports. For the scheduler:
/// <list type="bullet">
/// <item><see cref="RecoverInterrupted"/> once at start-up: runs a crash left <c>in-progress</c> end <c>failed</c>
/// ("interrupted"), so the retry policy sees them, and their temporary files are removed.</item>
/// <item><see cref="ExportService.Active"/> (via <see cref="Exports"/>) lists what may be due.</item>
/// <item><see cref="RunAsync"/> runs an export for a scheduled instant and returns its history row; call it again
/// with the same instant to retry (the row's <see cref="ExportRun.Attempt"/> counts the tries). It never throws for
/// a failed delivery: the row says <c>failed</c> and why.</item>
/// </list>
/// A run streams the audience's members in ordinal order through the CSV writer, optionally OpenPGP, to the
/// destination under a temporary name, then renames it into place; memory does not grow with the audience.
/// </summary>
public sealed class ExportRunner
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Running = new(StringComparer.Ordinal);

    private readonly DataFolder _data;
    private readonly AudienceService _audiences;
    private readonly ClientWriteLocks? _locks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ExportRunner(DataFolder data, string client, SecretProtector protector, TimeProvider? time = null, ILogger<ExportRunner>? logger = null, ClientWriteLocks? locks = null, SftpConnector? connector = null, ExportPolicy? policy = null)
    {
        _data = data;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ExportRunner>.Instance;
        _locks = locks;
        _audiences = new AudienceService(data, client, time: _time);
        Exports = new ExportService(data.Path, client, protector, _time, connector, policy: policy);
    }

    public ExportService Exports { get; }

    public string Client => Exports.Client;

    private ExportStore Store => Exports.Store;

    /// <summary>
    /// Closes the runs a crash left open (failed, "interrupted") and deletes their local temporary files. Returns how
    /// many. A run of this process is left alone: inside a watcher, a forwarded <c>onboard export run</c> recovers
    /// while the scheduler may be running another export, and the scheduler recovers at start-up while a forwarded
    /// run may already have started.
    /// </summary>
    public int RecoverInterrupted()
    {
        int count = 0;
        foreach (ExportRun open in Store.ListRuns().Where(r => !r.IsFinished))
        {
            SemaphoreSlim gate = Gate(open.Export);
            if (!gate.Wait(0))
            {
                continue;
            }

            try
            {
                if (Store.FindRun(open.Id) is { IsFinished: false } run)
                {
                    Close(run);
                    count++;
                }
            }
            finally
            {
                gate.Release();
            }
        }

        return count;
    }

    private void Close(ExportRun run)
    {
        if (run.TemporaryName is { } temporary && Store.FindExport(run.Export) is { } export
            && Store.FindDestination(export.Destination) is { Type: DestinationType.Folder, Folder: { } folder })
        {
            TryDelete(Path.Combine(folder, temporary));
        }

        Store.SaveRun(run with
        {
            State = ExportRunState.Failed,
            Ended = _time.GetUtcNow(),
            Error = "interrupted: the process stopped while this run was in progress; its file may have been renamed into place just before (eligible for retry)",
        });
        _logger.LogWarning("{Client}: export {Export} run {Run} was interrupted by a restart; marked failed", Client, run.Export, run.Id);
    }

    /// <summary>Runs <paramref name="exportName"/> for <paramref name="scheduledFor"/> and returns its finished history row.</summary>
    public async Task<ExportRun> RunAsync(string exportName, DateTimeOffset scheduledFor, CancellationToken cancellation)
    {
        ExportConfiguration export = Exports.Get(exportName);
        if (export.State == ExportState.Canceled)
        {
            throw new ExportException($"Export \"{exportName}\" is canceled; it does not run any more.");
        }

        SemaphoreSlim gate = Gate(exportName);
        if (!await gate.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
        {
            throw new ExportException($"Export \"{exportName}\" is already running (or its interrupted runs are being recovered); try again in a moment.");
        }

        try
        {
            return await RunLockedAsync(export, scheduledFor, cancellation).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// <c>onboard export now</c>: writes an audience to a local file (temporary name, then renamed into place), with
    /// the same CSV writer and the same minimum audience size as configured exports, and no history row.
    /// </summary>
    public async Task<LocalExport> ExportToFileAsync(string audience, string path, ExportFormat format, CancellationToken cancellation)
    {
        _ = ExportColumn.ParseAll(format.Columns);
        path = Path.GetFullPath(path);
        DateTimeOffset now = _time.GetUtcNow();
        using ExportContent content = Prepare(audience, format, ContentMode.Full, previous: null, now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var destination = new FolderDestination(Path.GetDirectoryName(path)!);
        string fileName = Path.GetFileName(path);
        await using DeliveryTarget target = await destination.OpenAsync(fileName, DeliveryTarget.TemporaryNameFor(fileName, Environment.ProcessId), cancellation).ConfigureAwait(false);
        (long rows, long bytes) = await Task.Run(() => WriteContent(target.Content, format, content, null, fileName, cancellation), cancellation).ConfigureAwait(false);
        await target.CommitAsync(cancellation).ConfigureAwait(false);
        return new LocalExport(path, rows, bytes);
    }

    private async Task<ExportRun> RunLockedAsync(ExportConfiguration export, DateTimeOffset scheduledFor, CancellationToken cancellation)
    {
        List<ExportRun> earlier = [.. Store.ListRuns(export.Name)];
        if (earlier.Find(r => r.State == ExportRunState.InProgress) is { } inProgress)
        {
            throw new ExportException($"Export \"{export.Name}\" is already running (run {inProgress.Id}, started {inProgress.Started:u}).");
        }

        // Recorded in progress at once: a row left "scheduled" by a crash would be closed by nobody.
        int attempt = earlier.Count(r => r.ScheduledFor == scheduledFor && r.IsFinished) + 1;
        ExportRun run = Store.AddRun(new ExportRun
        {
            Id = 0,
            Export = export.Name,
            Audience = export.Audience,
            State = ExportRunState.InProgress,
            ScheduledFor = scheduledFor,
            Attempt = attempt,
            Started = _time.GetUtcNow(),
        });
        try
        {
            Destination destination = Exports.GetDestination(export.Destination);
            string fileName = FileNameTemplate.Render(export.FileNameTemplate, scheduledFor, export.Schedule.TimeZone, export.Audience, export.Name, Client);
            run = run with { FileName = fileName, Destination = destination.Display };
            Store.SaveRun(run);

            IExportDestination target = Exports.OpenDestination(destination);
            await RemoveLeftoversAsync(target, earlier, cancellation).ConfigureAwait(false);
            IReadOnlyList<PgpPublicKey>? recipients = export.Encryption is { } name
                ? [.. PgpRecipients.Resolve(Exports.GetEncryption(name).PublicKeys, _time.GetUtcNow()).Select(r => r.Key)]
                : null;
            string lastRun = Path.Combine(Store.StateFolder(export.Name), "last.roar");
            string pendingRun = Path.Combine(Store.StateFolder(export.Name), "pending.roar");
            DeltaBase? previous = export.Content == ContentMode.Delta ? DeltaBase.Read(lastRun, pendingRun) : null;
            string exportDate = TimeZoneInfo.ConvertTime(scheduledFor, FileNameTemplate.FindTimeZone(export.Schedule.TimeZone)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            using ExportContent content = Prepare(export.Audience, export.Format, export.Content, previous, exportDate);

            if (export.Content == ContentMode.Delta)
            {
                // From the rename until last.roar is written the partner holds either what it may hold now or these
                // members: the state files widen to cover both first, so a crash in between (or a failed delivery,
                // or several) leaves the next delta computed against every state the partner may be in.
                DeltaBase widened = DeltaBase.Widen(previous, content.Members!);
                Storage.DataFolder.CreatePrivateDirectory(Path.Combine(Store.ClientFolder, "exports"));
                Storage.DataFolder.CreatePrivateDirectory(Store.StateFolder(export.Name));
                DurableFile.Write(pendingRun, widened.Maybe.Serialize);
                DurableFile.Write(lastRun, widened.Surely.Serialize);
            }

            // Recorded before the file exists, so that recovery and the next run can always find and remove it.
            run = run with { TemporaryName = DeliveryTarget.TemporaryNameFor(fileName, run.Id) };
            Store.SaveRun(run);
            long rows;
            long bytes;
            await using (DeliveryTarget delivery = await target.OpenAsync(fileName, run.TemporaryName!, cancellation).ConfigureAwait(false))
            {
                (rows, bytes) = await Task.Run(() => WriteContent(delivery.Content, export.Format, content, recipients, fileName, cancellation), cancellation).ConfigureAwait(false);
                await delivery.CommitAsync(cancellation).ConfigureAwait(false);
            }

            if (export.Content == ContentMode.Delta)
            {
                try
                {
                    DurableFile.Write(lastRun, content.Members!.Serialize);
                    File.Delete(pendingRun);
                }
                catch (IOException ex)
                {
                    // The file is delivered: failing the run would deliver it again. The widened state files written
                    // before the rename still describe the partner, so the next delta stays right, only larger.
                    _logger.LogWarning(ex, "{Client}: export {Export} delivered {File} but could not narrow its delta state: {Error}", Client, export.Name, fileName, ex.Message);
                }
            }

            run = run with { State = ExportRunState.Complete, Ended = _time.GetUtcNow(), Rows = rows, Bytes = bytes, TemporaryName = null };
            Store.SaveRun(run);
            _logger.LogInformation("{Client}: export {Export} delivered {File} to {Destination}: {Rows} rows, {Bytes} bytes", Client, export.Name, fileName, destination.Display, rows, bytes);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            run = run with { State = ExportRunState.Canceled, Ended = _time.GetUtcNow(), Error = "canceled before the file was delivered" };
            Store.SaveRun(run);
        }
#pragma warning disable CA1031 // Any failure of a run is recorded in its history row; the scheduler decides on retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            run = run with { State = ExportRunState.Failed, Ended = _time.GetUtcNow(), Error = ex.Message };
            Store.SaveRun(run);
            _logger.LogWarning(ex, "{Client}: export {Export} run {Run} failed: {Error}", Client, export.Name, run.Id, ex.Message);
        }

        return run;
    }

    /// <summary>Held while an export runs in this process (one run of an export at a time, and recovery keeps off it).</summary>
    private SemaphoreSlim Gate(string exportName) => Running.GetOrAdd($"{_data.Path}/{Client}/{exportName}", _ => new SemaphoreSlim(1, 1));

    /// <summary>Resolves everything a file needs (members, deltas, segment groups, dictionaries) before streaming starts.</summary>
    private ExportContent Prepare(string audience, ExportFormat format, ContentMode mode, DeltaBase? previous, string exportDate)
    {
        using IDisposable? writer = _locks?.Acquire(Client);
        RoaringBitmap members = _audiences.MembersOfAudienceOrSnapshot(audience);
        long minimum = Exports.MinimumAudienceSize().Value;
        if (members.Cardinality < minimum)
        {
            throw new ExportException(
                $"Audience \"{audience}\" has {members.Cardinality:N0} members, fewer than client {Client}'s minimum export size of {minimum:N0}; " +
                "small audiences are not exported so that they cannot single people out.");
        }

        ClientStore store = _data.Client(Client);
        // A forgotten ID is never written again, not even as a "left" line of a delta.
        RoaringBitmap surely = previous is null ? new RoaringBitmap() : store.WithoutSuppressed(previous.Surely);
        RoaringBitmap maybe = previous is null ? new RoaringBitmap() : store.WithoutSuppressed(previous.Maybe);
        RoaringBitmap written = mode == ContentMode.Delta ? members | maybe : members;
        var groups = new Dictionary<string, IReadOnlyList<(string, RoaringBitmap)>>(StringComparer.Ordinal);
        foreach (ExportColumn column in ExportColumn.ParseAll(format.Columns).Where(c => c.Kind == ExportColumnKind.Segments))
        {
            List<SegmentInfo> segments = [.. store.ListSegments().Where(s => s.Group == column.Group).OrderBy(s => s.Segment, StringComparer.Ordinal)];
            if (segments.Count == 0)
            {
                throw new ExportException($"Column {column.Name}: client {Client} has no segment group \"{column.Group}\".");
            }

            groups[column.Group!] = [.. segments.Select(s => (s.Segment, store.ReadMembers(s)))];
        }

        Dictionary<IdType, IIdReader> ids = OpenIdReaders(store, written);

        if (mode == ContentMode.Delta)
        {
            return new ExportContent
            {
                Members = members,
                Entered = members - surely,
                Left = maybe - members,
                Audience = audience,
                ExportDate = exportDate,
                Ids = ids,
            };
        }

        return new ExportContent
        {
            Members = members,
            Audience = audience,
            ExportDate = exportDate,
            Groups = groups,
            Ids = ids,
        };
    }

    /// <summary>
    /// A reader for each ID type among <paramref name="written"/>, opened now, under the client's writer lock (reading
    /// IDs is thread-safe, opening is not). A dictionary this process has not opened is read from its file rather than
    /// opened: opening it would keep all its IDs and their index in memory for the rest of the process.
    /// </summary>
    private static Dictionary<IdType, IIdReader> OpenIdReaders(ClientStore store, RoaringBitmap written)
    {
        var readers = new Dictionary<IdType, IIdReader>();
        try
        {
            foreach (IdType type in IdTypes.All)
            {
                if (CountInRange(written, MemberSpace.Start(type), MemberSpace.Capacity(type)) > 0)
                {
                    readers[type] = store.OpenIdReader(type);
                }
            }

            return readers;
        }
        catch
        {
            foreach (IIdReader reader in readers.Values)
            {
                reader.Dispose();
            }

            throw;
        }
    }

    private (long Rows, long Bytes) WriteContent(Stream output, ExportFormat format, ExportContent content, IReadOnlyList<PgpPublicKey>? recipients, string fileName, CancellationToken cancellation)
    {
        var counted = new CountingStream(output);
        long rows;
        if (recipients is null)
        {
            rows = WriteCsv(counted, format, content, cancellation);
        }
        else
        {
            // Encryption costs about four times what the CSV does: on its own thread, the two overlap.
            var encrypted = new PgpEncryptingStream(counted, recipients, fileName, _time.GetUtcNow().UtcDateTime);
            rows = OverlappedWriter.WriteThrough(encrypted, csv => WriteCsv(csv, format, content, cancellation));
            encrypted.Dispose();
        }

        counted.Flush();
        return (rows, counted.BytesWritten);
    }

    private static long WriteCsv(Stream sink, ExportFormat format, ExportContent content, CancellationToken cancellation)
    {
        using CsvHelper.CsvWriter csv = CsvHelper.CsvWriter.Create(sink, ExportFileWriter.Options(format), leaveOpen: true);
        long rows = ExportFileWriter.Write(csv, format, content, cancellation);
        csv.Flush();
        return rows;
    }

    /// <summary>Temporary files of this export's interrupted runs (hidden <c>.part</c> names) are removed before the next delivery.</summary>
    private async Task RemoveLeftoversAsync(IExportDestination destination, IEnumerable<ExportRun> earlier, CancellationToken cancellation)
    {
        foreach (ExportRun run in earlier.Where(r => r.State == ExportRunState.Failed && r.TemporaryName is not null))
        {
            try
            {
                await destination.DeleteIfExistsAsync(run.TemporaryName!, cancellation).ConfigureAwait(false);
                Store.SaveRun(run with { TemporaryName = null });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SftpException or Renci.SshNet.Common.SshException)
            {
                _logger.LogWarning(ex, "{Client}: could not remove {Temporary} left by run {Run} of export {Export}", Client, run.TemporaryName, run.Id, run.Export);
            }
        }
    }

    /// <summary>
    /// What the partner of a delta export holds: at least <see cref="Surely"/>, at most <see cref="Maybe"/> (kept as
    /// <c>last.roar</c> and <c>pending.roar</c>). The two differ when a run may or may not have delivered its file:
    /// the next delta adds whoever is not surely there and removes whoever may be, which brings any state between
    /// the two to the audience (adding a member or removing a non-member changes nothing).
    /// </summary>
    private sealed record DeltaBase(RoaringBitmap Surely, RoaringBitmap Maybe)
    {
        /// <summary>What the partner may hold once a file bringing it to <paramref name="members"/> may have been delivered.</summary>
        public static DeltaBase Widen(DeltaBase? before, RoaringBitmap members) =>
            before is null ? new DeltaBase(new RoaringBitmap(), members) : new DeltaBase(before.Surely & members, before.Maybe | members);

        public static DeltaBase? Read(string lastRun, string pendingRun)
        {
            RoaringBitmap? last = ReadBitmap(lastRun);
            RoaringBitmap? pending = ReadBitmap(pendingRun);
            return (last, pending) switch
            {
                (null, null) => null,
                ({ } l, null) => new DeltaBase(l, l),
                (null, { } p) => new DeltaBase(new RoaringBitmap(), p),
                ({ } l, { } p) => new DeltaBase(l & p, l | p),
            };
        }

        private static RoaringBitmap? ReadBitmap(string path)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using FileStream stream = File.OpenRead(path);
            return RoaringBitmap.Deserialize(stream);
        }
    }

    private static long CountInRange(RoaringBitmap members, uint start, uint length)
    {
        if (members.IsEmpty)
        {
            return 0;
        }

        long upTo = members.Rank((uint)Math.Min(uint.MaxValue, (ulong)start + length - 1));
        long before = start == 0 ? 0 : members.Rank(start - 1);
        return upTo - before;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Hidden .part name; the next run of the export retries.
        }
    }
}
