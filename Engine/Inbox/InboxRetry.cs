using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Inbox;

/// <summary>A file cannot be retried (not found, ambiguous, not failed, moved away): nothing was changed.</summary>
public sealed class InboxRetryException(string message) : Exception(message);

/// <summary>
/// What a retry did: the ingestion's result, and whether the file is now processed (and where it is).
/// <paramref name="Repaired"/>: nothing was ingested; an earlier retry had applied and moved the file but was
/// interrupted before it saved the record, which this one completed from that retry's summary.
/// </summary>
public sealed record RetryOutcome(IngestionResult Result, bool Processed, string Path, bool Repaired = false);

/// <summary>
/// Sends a file the inbox left in <c>failed/&lt;date&gt;/&lt;client&gt;/</c> through ingestion again, as an operator
/// asks (<c>onboard files retry</c>): typically with <see cref="IngestionRequest.Force"/> after a guard refused a
/// refresh that shrinks, or a delta that empties, a large segment. The file keeps the client and mode the inbox gave
/// it and is decoded as the inbox decodes it. Applied, it moves to <c>processed/&lt;date&gt;/&lt;client&gt;/</c> with
/// its new summary and its record says so; refused again, it stays where it is with the new refusal's summary. The
/// caller holds the client's write lock. Applied at most once: a record no longer failed is refused, content found
/// applied since the refusal (a retry interrupted between its commit and its move) is moved without being applied
/// again, and a record left failed by a retry interrupted between its move and its record is completed from the
/// place the retry saved on it before the move (<see cref="ReceivedFile.Moving"/>, <see cref="RepairInterrupted"/>).
/// </summary>
public sealed class InboxRetry(DataFolder data, IngestionService ingestion, InboundDecoder decoder, TimeProvider? time = null, ILogger? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    private string TempFolder => Path.Combine(data.Path, "tmp", "retry");

    /// <summary>
    /// The client's failed file named <paramref name="file"/>: its name as received, its name in <c>failed/</c>, or its
    /// path there. Several failed files of that name: the path must be given.
    /// </summary>
    public ReceivedFile Find(string client, string file)
    {
        string? path = Path.IsPathFullyQualified(file) ? Path.GetFullPath(file) : null;
        List<ReceivedFile> matches = [.. data.Catalog.ReceivedFiles(client).Where(r =>
            path is not null ? r.Path == path : r.Name == file || Path.GetFileName(r.Path) == file)];
        List<ReceivedFile> failed = [.. matches.Where(r => r.State == ReceivedFileState.Failed)];
        return failed.Count switch
        {
            1 => failed[0],
            0 when matches.Count > 0 => throw new InboxRetryException(
                $"{file} ({client}) is {matches[^1].State.ToString().ToLowerInvariant()}, not failed: there is nothing to retry."),
            0 => throw new InboxRetryException(
                $"client {client} has no received file {file} (see onboard files --client {client} --state failed)."),
            _ => throw new InboxRetryException(
                $"{failed.Count} failed files of client {client} are named {file}; give the path of the one to retry: {string.Join(", ", failed.Select(f => f.Path))}"),
        };
    }

    /// <summary>Ingests a failed file again; <paramref name="actor"/> is recorded in the audit log when forced.</summary>
    public RetryOutcome Retry(ReceivedFile file, bool force, string? actor = null, CancellationToken cancellationToken = default)
    {
        if (file.State != ReceivedFileState.Failed)
        {
            throw new InboxRetryException($"{file.Name} ({file.Client}) is {file.State.ToString().ToLowerInvariant()}, not failed: there is nothing to retry.");
        }

        if (!File.Exists(file.Path))
        {
            return RepairInterrupted(file) ?? throw new InboxRetryException(file.Moving is { } moving
                ? $"{file.Name} ({file.Client}) is no longer at {file.Path}. A retry applied it (content {moving.ContentHash}) and was interrupted " +
                  $"before it moved it to {moving.Path}, where it is not: there is nothing left to apply or move."
                : $"{file.Name} ({file.Client}) is no longer at {file.Path}, and no retry of it was interrupted after moving it to " +
                  $"{InboxConvention.ProcessedFolder}/: drop it into the inbox again.");
        }

        InboxFileLifecycle lifecycle = LifecycleOf(file);
        ClientStore store = data.Client(file.Client);
        string name = Path.GetFileName(file.Path);
        IngestionResult result;
        bool appliedSinceRefusal;
        try
        {
            using DecodedFile decoded = decoder.Decode(file.Path, TempFolder, cancellationToken);

            // A refused file's content was not applied when it was refused (it would have been a duplicate); found
            // applied now, an earlier retry committed it and did not get to move it.
            appliedSinceRefusal = file.Outcome != FileOutcome.Duplicate && store.FindApplied(IngestionService.HashFile(decoded.Path)) is not null;
            lifecycle.ClearStaged(file.Client, name);
            result = ingestion.Ingest(
                new IngestionRequest(decoded.Path)
                {
                    Client = file.Client,
                    Mode = file.Mode,
                    Force = force && !appliedSinceRefusal,
                    Actor = actor,
                    DisplayName = name,
                    ReportFolder = lifecycle.StagingReports(file.Client),
                },
                progress: null,
                cancellationToken);
        }
        catch (InboundDecodingException ex)
        {
            throw new InboxRetryException($"{file.Name} ({file.Client}) still cannot be decoded: {ex.Message}");
        }

        DateTimeOffset now = _time.GetUtcNow();
        bool processed = result.Outcome == FileOutcome.Applied || (appliedSinceRefusal && result.Outcome == FileOutcome.Duplicate);
        if (!processed)
        {
            // The summary beside the file says why it is still there: this refusal, not the first one.
            result = lifecycle.WriteReports(file.Path, InboxProcessor.KeptForRetry(result, name));
            lifecycle.ClearStaged(file.Client, name);
            DeleteEarlierRejects(file, result);
            data.Catalog.SaveReceivedFile(WithResult(file, result, result.Reason, now));
            _logger.LogWarning("{Client}: {File} refused again on retry: {Reason}", file.Client, name, result.Reason);
            return new RetryOutcome(result, Processed: false, file.Path);
        }

        // Saved before the move: a crash between the move and the record below leaves the file's new place and content
        // on this record, and only on it, for RepairInterrupted.
        string finalPath = lifecycle.DonePath(processed: true, file.Client, result.FileName, now);
        data.Catalog.SaveReceivedFile(file with { Moving = new RetryMove(finalPath, result.ContentHash) });
        result = lifecycle.Complete(file.Path, finalPath, result);
        _logger.LogInformation("{Client}: {File} applied on retry, moved to {Path}", file.Client, name, finalPath);
        lifecycle.ClearStaged(file.Client, name);
        DeleteRefusalReports(file, result);
        string reason = appliedSinceRefusal ? "applied by an earlier, interrupted retry"
            : force ? $"applied on retry with --force by {actor ?? Audit.AuditLog.DefaultActor}" : "applied on retry";
        data.Catalog.SaveReceivedFile(WithResult(file, result, reason, now) with { State = ReceivedFileState.Processed, Path = finalPath });
        return new RetryOutcome(result, Processed: true, finalPath);
    }

    /// <summary>
    /// Completes the record of a retry interrupted after it moved the file to <c>processed/</c> and before it saved
    /// the record, which still says failed at the file's place in <c>failed/</c>: the moved file is the one at the
    /// place the retry saved on the record before the move (<see cref="ReceivedFile.Moving"/>), if that file's
    /// summary (written before the move) has the content the retry applied, no other record claims it and the
    /// journal has applied that content. The summary fills the record. Null, changing nothing, when the record is not
    /// of a failed file gone from <c>failed/</c> with such a file. The caller holds the client's write lock.
    /// </summary>
    /// <exception cref="InboxRetryException">The summary cannot be read, or other failed records name the same file.</exception>
    public RetryOutcome? RepairInterrupted(ReceivedFile file)
    {
        if (file is not { State: ReceivedFileState.Failed, Moving: { } moving } || File.Exists(file.Path) || !File.Exists(moving.Path))
        {
            return null;
        }

        IngestionResult result;
        try
        {
            result = IngestionSummary.Read(moving.Path + ".summary.json");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new InboxRetryException($"{file.Name} ({file.Client}) was applied by a retry and moved to {moving.Path}, but its summary cannot be read ({ex.Message}); its record still says failed.");
        }

        // A different file that took the place later (the retry died before its move) has a summary of its own.
        if (result.ContentHash != moving.ContentHash || data.Catalog.ReceivedFileAt(moving.Path) is not null)
        {
            return null;
        }

        List<ReceivedFile> others = [.. data.Catalog.ReceivedFiles(file.Client, ReceivedFileState.Failed)
            .Where(r => r.Id != file.Id && r.Moving == moving && !File.Exists(r.Path))];
        if (others.Count > 0)
        {
            throw new InboxRetryException(
                $"{file.Name} ({file.Client}): the retries of {others.Count + 1} failed files ({string.Join(", ", others.Prepend(file).Select(r => r.Path))}) " +
                $"were moving the same content to {moving.Path}, so which one it is cannot be told; their records still say failed. " +
                "The content is applied: do not drop it into the inbox again.");
        }

        if (data.Client(file.Client).FindApplied(moving.ContentHash) is null)
        {
            return null;
        }

        DeleteRefusalReports(file, result);
        data.Catalog.SaveReceivedFile(WithResult(file, result, "applied on retry; the retry was interrupted before it recorded so, and its record was completed later", _time.GetUtcNow())
            with { State = ReceivedFileState.Processed, Path = moving.Path });
        _logger.LogWarning(
            "{Client}: {File} was applied and moved to {Path} by a retry interrupted before it saved its record; the record, which still said failed, is completed",
            file.Client, Path.GetFileName(file.Path), moving.Path);
        return new RetryOutcome(result, Processed: true, moving.Path, Repaired: true);
    }

    /// <summary>The record of a file after an attempt: what <paramref name="result"/> says, as in the journal (a file not applied applied no rows).</summary>
    private static ReceivedFile WithResult(ReceivedFile file, IngestionResult result, string? reason, DateTimeOffset now) => file with
    {
        Moving = null,
        Outcome = result.Outcome,
        Reason = reason,
        RowsRead = result.RowsRead,
        RowsApplied = result.Outcome == FileOutcome.Applied ? result.RowsApplied : 0,
        RowsRejected = result.RowsRejected,
        Completed = now,
        ReportPath = result.SummaryPath,
        RejectReportPath = result.RejectReportPath,
    };

    /// <summary>failed/ keeps only what still needs attention; the refusal stays in the journal and the audit log.</summary>
    private static void DeleteRefusalReports(ReceivedFile file, IngestionResult result)
    {
        File.Delete(file.Path + ".summary.json");
        DeleteEarlierRejects(file, result);
    }

    /// <summary>An earlier attempt's reject report that <paramref name="result"/> did not replace.</summary>
    private static void DeleteEarlierRejects(ReceivedFile file, IngestionResult result)
    {
        if (file.RejectReportPath is { } earlier && earlier != result.RejectReportPath)
        {
            File.Delete(earlier);
        }
    }

    private static InboxFileLifecycle LifecycleOf(ReceivedFile file) => InboxOf(file)
        ?? throw new InboxRetryException($"{file.Path} is not in an inbox's {InboxConvention.FailedFolder}/<date>/{file.Client}/ folder; drop it into the inbox again instead.");

    /// <summary>The inbox a failed file belongs to, from its place: <c>&lt;inbox&gt;/failed/&lt;date&gt;/&lt;client&gt;/x.csv</c>.</summary>
    private static InboxFileLifecycle? InboxOf(ReceivedFile file)
    {
        string? clientFolder = Path.GetDirectoryName(file.Path);
        string? failedFolder = Path.GetDirectoryName(Path.GetDirectoryName(clientFolder));
        string? inbox = Path.GetDirectoryName(failedFolder);
        return clientFolder is null || failedFolder is null || inbox is null
            || Path.GetFileName(clientFolder) != file.Client || Path.GetFileName(failedFolder) != InboxConvention.FailedFolder
            ? null
            : new InboxFileLifecycle(inbox);
    }
}
