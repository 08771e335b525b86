using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Inbox;

/// <summary>A file cannot be retried (not found, ambiguous, not failed, moved away): nothing was changed.</summary>
public sealed class InboxRetryException(string message) : Exception(message);

/// <summary>What a retry did: the ingestion's result, and whether the file is now processed (and where it is).</summary>
public sealed record RetryOutcome(IngestionResult Result, bool Processed, string Path);

/// <summary>
/// Sends a file the inbox left in <c>failed/&lt;date&gt;/&lt;client&gt;/</c> through ingestion again, as an operator
/// asks (<c>onboard files retry</c>): typically with <see cref="IngestionRequest.Force"/> after a guard refused a
/// refresh that shrinks, or a delta that empties, a large segment. The file keeps the client and mode the inbox gave
/// it and is decoded as the inbox decodes it. Applied, it moves to <c>processed/&lt;date&gt;/&lt;client&gt;/</c> with
/// its new summary and its record says so; refused again, it stays where it is. The caller holds the client's write lock.
/// Applied at most once: a record no longer failed is refused, and content found applied since the refusal (a retry
/// interrupted between its commit and its move) is moved without being applied again.
/// </summary>
public sealed class InboxRetry(DataFolder data, IngestionService ingestion, InboundDecoder decoder, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

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
            // Also what a retry interrupted between its move and its record leaves: the file is then in processed/
            // and its content applied, so dropping it again is refused as a duplicate, which is right.
            throw new InboxRetryException(
                $"{file.Name} ({file.Client}) is no longer at {file.Path}: if an earlier retry was interrupted it is in processed/ and applied " +
                "(the journal says so: onboard files); otherwise drop it into the inbox again.");
        }

        InboxFileLifecycle lifecycle = LifecycleOf(file);
        ClientStore store = data.Client(file.Client);
        string name = Path.GetFileName(file.Path);
        string tempFolder = Path.Combine(data.Path, "tmp", "retry");
        IngestionResult result;
        bool appliedSinceRefusal;
        try
        {
            using DecodedFile decoded = decoder.Decode(file.Path, tempFolder, cancellationToken);

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
            lifecycle.ClearStaged(file.Client, name);
            data.Catalog.SaveReceivedFile(file with { Reason = result.Reason, Completed = now });
            return new RetryOutcome(result, Processed: false, file.Path);
        }

        string refusedSummary = file.Path + ".summary.json";
        string? refusedRejects = file.RejectReportPath;
        result = lifecycle.Complete(file.Path, processed: true, result, now, out string finalPath);
        lifecycle.ClearStaged(file.Client, name);

        // failed/ keeps only what still needs attention; the refusal stays in the journal and the audit log.
        File.Delete(refusedSummary);
        if (refusedRejects is not null && refusedRejects != result.RejectReportPath)
        {
            File.Delete(refusedRejects);
        }

        data.Catalog.SaveReceivedFile(file with
        {
            State = ReceivedFileState.Processed,
            Path = finalPath,
            Outcome = result.Outcome,
            Reason = appliedSinceRefusal ? "applied by an earlier, interrupted retry"
                : force ? $"applied on retry with --force by {actor ?? Audit.AuditLog.DefaultActor}" : "applied on retry",
            RowsRead = result.RowsRead,
            RowsApplied = result.Outcome == FileOutcome.Applied ? result.RowsApplied : 0,
            RowsRejected = result.RowsRejected,
            Completed = now,
            ReportPath = result.SummaryPath,
            RejectReportPath = result.RejectReportPath,
        });
        return new RetryOutcome(result, Processed: true, finalPath);
    }

    /// <summary>The inbox a failed file belongs to, from its place: <c>&lt;inbox&gt;/failed/&lt;date&gt;/&lt;client&gt;/x.csv</c>.</summary>
    private static InboxFileLifecycle LifecycleOf(ReceivedFile file)
    {
        string? clientFolder = Path.GetDirectoryName(file.Path);
        string? failedFolder = Path.GetDirectoryName(Path.GetDirectoryName(clientFolder));
        string? inbox = Path.GetDirectoryName(failedFolder);
        if (clientFolder is null || failedFolder is null || inbox is null
            || Path.GetFileName(clientFolder) != file.Client || Path.GetFileName(failedFolder) != InboxConvention.FailedFolder)
        {
            throw new InboxRetryException($"{file.Path} is not in an inbox's {InboxConvention.FailedFolder}/<date>/{file.Client}/ folder; drop it into the inbox again instead.");
        }

        return new InboxFileLifecycle(inbox);
    }
}
