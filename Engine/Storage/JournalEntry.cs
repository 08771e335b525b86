using System.Text.Json.Serialization;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;

namespace Onboarding.Engine.Storage;

/// <summary>What happened to one received file.</summary>
public enum FileOutcome
{
    /// <summary>Committed: its segment versions are live (it may still have had rejected rows).</summary>
    Applied,

    /// <summary>Nothing was applied; <see cref="JournalEntry.Reason"/> says why.</summary>
    Refused,

    /// <summary>The same content was already applied for this client; nothing changed.</summary>
    Duplicate,
}

/// <summary>
/// One line of a client's commit journal: everything one received file did. The journal is the authority on
/// what is committed; the LiteDB catalog is rebuilt from it.
/// </summary>
public sealed record JournalEntry
{
    public required long Sequence { get; init; }

    public required string FileName { get; init; }

    public required string ContentHash { get; init; }

    public required IngestionMode Mode { get; init; }

    public required DateTimeOffset Received { get; init; }

    public required DateTimeOffset Completed { get; init; }

    public required FileOutcome Outcome { get; init; }

    public string? Reason { get; init; }

    public long RowsRead { get; init; }

    public long RowsApplied { get; init; }

    public long RowsRejected { get; init; }

    public IReadOnlyList<SegmentChange> Changes { get; init; } = [];

    /// <summary>A new version of the client's suppression set (right to erasure), or null when it did not change.</summary>
    public SuppressionChange? Suppression { get; init; }
}

/// <summary>A new version of a client's suppression set: the members forgotten and kept out of every segment.</summary>
public sealed record SuppressionChange(int Version, long Size, long Added, long Removed);

/// <summary>A new version of one segment written by a file.</summary>
public sealed record SegmentChange(
    int SegmentId,
    string Group,
    string Segment,
    SegmentType Type,
    int Version,
    long Size,
    long Added,
    long Removed);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JournalEntry))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
