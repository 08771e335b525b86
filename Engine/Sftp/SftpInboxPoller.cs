using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Sftp.Internal;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Sftp;

public sealed record DeliveredFile(string RemoteName, string LocalPath, long Size, string Sha256);

public sealed record SkippedFile(string RemoteName, string Reason);

/// <summary>What one poll did. <see cref="Failure"/> is set when the poll as a whole failed (and backs off).</summary>
public sealed class SftpPollResult(string inbox)
{
    public string Inbox { get; } = inbox;

    public List<DeliveredFile> Delivered { get; } = [];

    /// <summary>Remote files whose delivery an earlier, interrupted poll had completed; only their cleanup was done now.</summary>
    public List<string> CleanupFinished { get; } = [];

    public List<SkippedFile> Skipped { get; } = [];

    /// <summary>Names refused because they could escape the folder or are otherwise unsafe.</summary>
    public List<SkippedFile> Refused { get; } = [];

    public Exception? Failure { get; set; }

    public bool Succeeded => Failure is null;
}

/// <summary>Backoff after failed polls: the interval doubled per consecutive failure, capped.</summary>
public static class SftpBackoff
{
    public static readonly TimeSpan DefaultCap = TimeSpan.FromMinutes(15);

    /// <summary>Delay before the next poll after <paramref name="failures"/> failures in a row (0 = the interval).</summary>
    public static TimeSpan Delay(TimeSpan interval, int failures, TimeSpan? cap = null)
    {
        TimeSpan limit = cap ?? (interval > DefaultCap ? interval : DefaultCap);
        if (failures <= 0)
        {
            return interval;
        }

        double factor = Math.Pow(2, Math.Min(failures, 30));
        return TimeSpan.FromTicks((long)Math.Min(interval.Ticks * factor, limit.Ticks));
    }
}

/// <summary>
/// One poll of one SFTP inbox: list the remote folder; for each complete regular file, download it to a temp name
/// (<c>.&lt;name&gt;.&lt;inbox&gt;.part</c>, which the local watcher ignores) in the client's local inbox folder, verify
/// its size, rename it into place without replacing anything, record the delivery durably, then move the remote
/// file to <c>processed/</c> (or delete it). The local watcher ingests what lands; this class never ingests.
/// Every step is recorded in <see cref="SftpInboxLedger"/> first, so a poll interrupted anywhere (crash, kill,
/// cancellation, dropped connection) is finished by the next one without delivering a file twice.
/// </summary>
public sealed class SftpInboxPoller(SftpInboxStore store, ISftpSessionFactory sessions, TimeProvider? time = null, ILogger? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    internal enum Stage
    {
        /// <summary>The temp file was renamed into the local inbox; the ledger does not know yet.</summary>
        AfterLocalRename,

        /// <summary>The delivery is recorded; the remote file is not yet moved or deleted.</summary>
        BeforeRemoteCleanup,
    }

    /// <summary>Test seam: runs at the given stage with the remote name (throw to simulate a crash there).</summary>
    internal Action<Stage, string>? Fault { get; set; }

    /// <summary>Test seam: bytes written so far by the current download.</summary>
    internal Action<string, long>? DownloadProgress { get; set; }

    /// <summary>Polls once; updates the inbox's status (and its next poll time, with backoff after a failure).</summary>
    public async Task<SftpPollResult> PollAsync(SftpInbox inbox, string localFolder, CancellationToken cancellation = default)
    {
        var result = new SftpPollResult(inbox.Name);
        SftpInboxStatus status = store.ReadStatus(inbox);
        DateTimeOffset started = _time.GetUtcNow();
        string stateFolder = store.StateFolder(inbox);
        DataFolder.CreatePrivateDirectory(stateFolder);
        using FileStream? pollLock = TryLock(stateFolder);
        if (pollLock is null)
        {
            result.Failure = new SftpException(SftpFailureKind.Remote, $"Inbox {inbox.Name} is being polled by another process.");
            return result;
        }

        try
        {
            await PollCoreAsync(inbox, Path.GetFullPath(localFolder), stateFolder, result, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            store.WriteStatus(inbox, status with { LastPoll = started });
            throw;
        }
#pragma warning disable CA1031 // any failure is recorded in the status and retried with backoff, never a hot loop
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result.Failure = ex;
        }

        DateTimeOffset now = _time.GetUtcNow();
        long bytes = result.Delivered.Sum(d => d.Size);
        string? fileProblems = result.Refused.Count == 0 ? null
            : $"refused {result.Refused.Count} remote file(s): " + string.Join("; ", result.Refused.Select(r => $"\"{RemoteFileName.Printable(r.RemoteName)}\": {r.Reason}"));
        if (result.Failure is { } failure)
        {
            int failures = status.ConsecutiveFailures + 1;
            TimeSpan delay = SftpBackoff.Delay(inbox.PollInterval, failures);
            _logger.LogWarning("SFTP inbox {Inbox} ({Client}) poll failed ({Failures} in a row), next try in {Delay}: {Error}", inbox.Name, inbox.Client, failures, delay, failure.Message);
            status = status with
            {
                LastPoll = started,
                LastErrorAt = now,
                LastError = failure.Message,
                ConsecutiveFailures = failures,
                NextPoll = now + delay,
            };
        }
        else
        {
            status = status with
            {
                LastPoll = started,
                LastSuccess = now,
                LastError = fileProblems,
                LastErrorAt = fileProblems is null ? status.LastErrorAt : now,
                ConsecutiveFailures = 0,
                NextPoll = now + inbox.PollInterval,
            };
        }

        status = status with
        {
            FilesDelivered = status.FilesDelivered + result.Delivered.Count,
            BytesDelivered = status.BytesDelivered + bytes,
            LastFile = result.Delivered.Count > 0 ? result.Delivered[^1].RemoteName : status.LastFile,
        };
        store.WriteStatus(inbox, status);
        return result;
    }

    private async Task PollCoreAsync(SftpInbox inbox, string localFolder, string stateFolder, SftpPollResult result, CancellationToken cancellation)
    {
        SftpInboxLedger ledger = SftpInboxLedger.Open(stateFolder, _time);
        RecoverUnfinished(ledger);
        Directory.CreateDirectory(localFolder);

        using ISftpSession session = await sessions.OpenAsync(inbox.Endpoint, inbox.SecretScope, cancellation).ConfigureAwait(false);
        string folder = inbox.Endpoint.RemoteFolder;
        IReadOnlyList<RemoteEntry> listing = await session.ListAsync(folder, cancellation).ConfigureAwait(false);

        // Deliveries recorded earlier whose remote file is gone (cleanup done, or removed by someone): settled.
        var listed = listing.Where(e => e.IsRegularFile).Select(e => Key(e)).ToHashSet();
        foreach (RemoteFileKey key in ledger.AwaitingCleanup.Where(k => !listed.Contains(k)))
        {
            ledger.Cleaned(key);
        }

        foreach (RemoteEntry entry in listing.OrderBy(e => e.LastWriteUtc).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            cancellation.ThrowIfCancellationRequested();
            if (entry.Name is "." or ".." || entry.IsDirectory)
            {
                continue;
            }

            if (RemoteFileName.Problem(entry.Name) is { } problem)
            {
                _logger.LogWarning("SFTP inbox {Inbox}: refused remote file name \"{Name}\": {Problem}", inbox.Name, RemoteFileName.Printable(entry.Name), problem);
                result.Refused.Add(new SkippedFile(entry.Name, problem));
                continue;
            }

            if (IsInProgressName(entry.Name))
            {
                continue;
            }

            if (!entry.IsRegularFile)
            {
                result.Skipped.Add(new SkippedFile(entry.Name, entry.IsSymbolicLink ? "symbolic link (not followed)" : "not a regular file"));
                continue;
            }

            RemoteFileKey key = Key(entry);
            if (ledger.IsAwaitingCleanup(key))
            {
                await CleanUpRemoteAsync(session, inbox, entry.Name, cancellation).ConfigureAwait(false);
                ledger.Cleaned(key);
                result.CleanupFinished.Add(entry.Name);
                _logger.LogInformation("SFTP inbox {Inbox}: {Name} was already delivered by an interrupted poll; finished its remote cleanup", inbox.Name, entry.Name);
                continue;
            }

            await DeliverAsync(session, inbox, localFolder, ledger, entry, key, result, cancellation).ConfigureAwait(false);
        }

        ledger.CompactIfLarge();
    }

    private async Task DeliverAsync(ISftpSession session, SftpInbox inbox, string localFolder, SftpInboxLedger ledger, RemoteEntry entry, RemoteFileKey key, SftpPollResult result, CancellationToken cancellation)
    {
        string remotePath = Join(inbox.Endpoint.RemoteFolder, entry.Name);
        string part = Path.Combine(localFolder, $".{entry.Name}.{inbox.Name}.part");
        EnsureInside(localFolder, part);
        File.Delete(part);
        string sha256;
        long written;
        RemoteEntry? after;
        try
        {
            using (var file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                DurableFile.FlushDirectory(localFolder);
                ledger.Intent(key, part); // from here on, a missing temp file means "renamed into place"
                using var sink = new DownloadSink(file, cancellation, DownloadProgress is { } progress ? n => progress(entry.Name, n) : null);
                await session.DownloadAsync(remotePath, sink, cancellation).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                sha256 = sink.Sha256Hex();
                written = sink.Written;
            }

            after = await session.StatAsync(remotePath, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SftpException or IOException or OperationCanceledException)
        {
            // A dropped connection or a cancellation: the partial download is not kept until the next poll.
            DiscardPartial(ledger, key, part);
            throw;
        }

        string? unstable = after is null ? "disappeared during the download"
            : written != entry.Size ? $"downloaded {written} bytes but the listing said {entry.Size}; it is probably still being written"
            : after.Size != entry.Size || after.LastWriteUtc != entry.LastWriteUtc ? "changed during the download; it is probably still being written"
            : null;
        if (unstable is not null)
        {
            DiscardPartial(ledger, key, part);
            result.Skipped.Add(new SkippedFile(entry.Name, unstable + " (tried again next poll)"));
            return;
        }

        string local = MoveIntoPlace(part, localFolder, entry.Name);
        DurableFile.FlushDirectory(localFolder);
        Fault?.Invoke(Stage.AfterLocalRename, entry.Name);
        ledger.Delivered(key, local, sha256);
        result.Delivered.Add(new DeliveredFile(entry.Name, local, written, sha256));
        _logger.LogInformation("SFTP inbox {Inbox} ({Client}): delivered {Name} ({Bytes} bytes, sha256 {Sha}) to {Local}", inbox.Name, inbox.Client, entry.Name, written, sha256, local);

        Fault?.Invoke(Stage.BeforeRemoteCleanup, entry.Name);
        await CleanUpRemoteAsync(session, inbox, entry.Name, cancellation).ConfigureAwait(false);
        ledger.Cleaned(key);
    }

    /// <summary>
    /// Records a download abandoned, then deletes its temp file. In this order because, to recovery, an <c>intent</c>
    /// whose temp file is gone means "renamed into place": deleting first, a crash in between would lose the file.
    /// A temp file left behind is harmless (hidden name) and deleted before the next download of the same file.
    /// </summary>
    private void DiscardPartial(SftpInboxLedger ledger, RemoteFileKey key, string part)
    {
        ledger.Abandoned(key);
        try
        {
            File.Delete(part);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("SFTP: cannot delete the partial download {Part} ({Error}); it is deleted before the next download", part, ex.Message);
        }
    }

    /// <summary>Renames the temp file to the remote name, or name-2, name-3... if taken (never overwrites).</summary>
    private static string MoveIntoPlace(string part, string folder, string name)
    {
        int dot = name.IndexOf('.', 1);
        string stem = dot < 0 ? name : name[..dot];
        string extensions = dot < 0 ? string.Empty : name[dot..];
        for (int n = 1; n < 10_000; n++)
        {
            string candidate = Path.Combine(folder, n == 1 ? name : $"{stem}-{n}{extensions}");
            EnsureInside(folder, candidate);
            if (LocalFiles.TryMoveNoReplace(part, candidate))
            {
                return candidate;
            }
        }

        throw new IOException($"Cannot find a free local name for {name} in {folder}.");
    }

    private async Task CleanUpRemoteAsync(ISftpSession session, SftpInbox inbox, string name, CancellationToken cancellation)
    {
        string folder = inbox.Endpoint.RemoteFolder;
        string source = Join(folder, name);
        if (await session.StatAsync(source, cancellation).ConfigureAwait(false) is null)
        {
            return; // already moved or deleted
        }

        if (inbox.AfterDownload == AfterDownload.Delete)
        {
            await session.DeleteAsync(source, cancellation).ConfigureAwait(false);
            return;
        }

        string processed = Join(folder, "processed");
        if (await session.StatAsync(processed, cancellation).ConfigureAwait(false) is null)
        {
            await session.CreateFolderAsync(processed, cancellation).ConfigureAwait(false);
        }

        string target = Join(processed, name);
        if (await session.StatAsync(target, cancellation).ConfigureAwait(false) is not null)
        {
            target = Join(processed, $"{name}.{_time.GetUtcNow():yyyyMMdd'T'HHmmssfff'Z'}");
        }

        await session.RenameAsync(source, target, cancellation).ConfigureAwait(false);
    }

    /// <summary>Settles downloads a crash interrupted (see <see cref="SftpInboxLedger"/>).</summary>
    private void RecoverUnfinished(SftpInboxLedger ledger)
    {
        foreach ((RemoteFileKey key, string part) in ledger.Unfinished)
        {
            if (File.Exists(part))
            {
                DiscardPartial(ledger, key, part);
                _logger.LogInformation("SFTP: discarded the partial download of {Name}; it will be downloaded again", key.Name);
            }
            else
            {
                ledger.Delivered(key, "(renamed into place before an interruption)", null);
                _logger.LogInformation("SFTP: {Name} had been renamed into the local inbox before an interruption; it will not be downloaded again", key.Name);
            }
        }
    }

    /// <summary>Names of uploads in progress (or hidden), which a poll leaves alone.</summary>
    public static bool IsInProgressName(string name) =>
        name.StartsWith('.') || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase);

    private static RemoteFileKey Key(RemoteEntry e) => new(e.Name, e.Size, e.LastWriteUtc.Ticks);

    private static string Join(string folder, string name) => folder.TrimEnd('/') + "/" + name;

    private static void EnsureInside(string folder, string path)
    {
        string full = Path.GetFullPath(path);
        if (!string.Equals(Path.GetDirectoryName(full), folder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new SftpException(SftpFailureKind.UnsafeName, $"Refused to write {full}: it is outside the inbox folder {folder}.");
        }
    }

    private static FileStream? TryLock(string stateFolder)
    {
        try
        {
            return new FileStream(Path.Combine(stateFolder, ".poll.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
