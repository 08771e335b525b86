using System.Text.Json.Serialization;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Inbox;

/// <summary>Where a received file is in its life.</summary>
public enum ReceivedFileState
{
    /// <summary>Complete and queued behind the client's earlier files (still in the inbox, or left in <c>.processing/</c> by a stop).</summary>
    Waiting,

    /// <summary>In <c>.processing/</c>, being decoded and ingested.</summary>
    Processing,

    /// <summary>Applied (or found already applied when recovered); moved to <c>processed/&lt;date&gt;/</c>.</summary>
    Processed,

    /// <summary>Refused, a duplicate, or undecodable; moved to <c>failed/&lt;date&gt;/</c> with the reason in its summary.</summary>
    Failed,
}

/// <summary>
/// One file received through an inbox, as <c>onboard files</c> and the TUI show it. Kept in the catalog as a view
/// for operators: what a file committed is in the client's journal, and where it ended up is in the inbox folders.
/// </summary>
public sealed record ReceivedFile
{
    /// <summary>A unique id of this reception.</summary>
    public required string Id { get; init; }

    /// <summary>The file name as delivered (e.g. <c>HEMSHA2_acme_20260101.csv.gz.pgp</c>).</summary>
    public required string Name { get; init; }

    public required string Client { get; init; }

    public required IngestionMode Mode { get; init; }

    /// <summary>The inbox it came through, e.g. <c>local:/srv/inbox</c>.</summary>
    public required string Source { get; init; }

    /// <summary>When the file was found complete.</summary>
    public required DateTimeOffset Received { get; init; }

    public required ReceivedFileState State { get; init; }

    /// <summary>Where the file is now (in the inbox, <c>.processing/</c>, <c>processed/</c> or <c>failed/</c>).</summary>
    public required string Path { get; init; }

    public FileOutcome? Outcome { get; init; }

    /// <summary>Why the file was refused or failed, or a note (e.g. interrupted by a shutdown).</summary>
    public string? Reason { get; init; }

    public long RowsRead { get; init; }

    public long RowsApplied { get; init; }

    public long RowsRejected { get; init; }

    /// <summary>From taking the file to its last move (decoding included).</summary>
    public TimeSpan? Duration { get; init; }

    public DateTimeOffset? Completed { get; init; }

    /// <summary>The summary (<c>&lt;file&gt;.summary.json</c>) beside the file in processed/ or failed/.</summary>
    public string? ReportPath { get; init; }

    /// <summary>The reject report, when rows were rejected.</summary>
    public string? RejectReportPath { get; init; }

    /// <summary>
    /// Set on a failed file's record by a retry that applied it, just before the retry moves it to <c>processed/</c>;
    /// the record saved after the move clears it. Still set on a failed record whose file left <c>failed/</c>, it
    /// says where that retry moved the file, so <see cref="InboxRetry.RepairInterrupted"/> completes this record from
    /// that file and no other.
    /// </summary>
    public RetryMove? Moving { get; init; }
}

/// <summary>Where a retry is moving a failed file (<see cref="ReceivedFile.Moving"/>) and the content it applied (<see cref="IngestionResult.ContentHash"/>).</summary>
public sealed record RetryMove(string Path, string ContentHash);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReceivedFile))]
[JsonSerializable(typeof(IReadOnlyList<ReceivedFile>))]
public sealed partial class ReceivedFileJsonContext : JsonSerializerContext;
