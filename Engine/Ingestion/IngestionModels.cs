using System.Text.Json.Serialization;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Ingestion;

/// <summary>One file to ingest and how.</summary>
public sealed record IngestionRequest(string FilePath)
{
    public string Client { get; init; } = DataFolder.DefaultClient;

    public IngestionMode Mode { get; init; } = IngestionMode.Delta;

    /// <summary>Do everything except commit; report what would change.</summary>
    public bool DryRun { get; init; }

    /// <summary>Apply even a duplicate, or a refresh that shrinks or empties a segment past the guard.</summary>
    public bool Force { get; init; }

    /// <summary>Accept <c>EMAIL</c> rows by hashing them to HEMSHA2 on the way in (never stored in plaintext).</summary>
    public bool HashEmails { get; init; }

    /// <summary>The name recorded for the file (defaults to the file name of <see cref="FilePath"/>).</summary>
    public string? DisplayName { get; init; }

    /// <summary>Where the reject report and summary go (defaults to beside the file).</summary>
    public string? ReportFolder { get; init; }

    /// <summary>Who asked, recorded in the audit log when <see cref="Force"/> is used (default: the OS user).</summary>
    public string? Actor { get; init; }
}

/// <summary>The thresholds that protect a client's segments from bad files (see <see cref="Clients.ClientPolicies"/>).</summary>
public sealed record IngestionPolicy
{
    /// <summary>A file with a larger share of rejected rows is refused entirely.</summary>
    public double MaxRejectedShare { get; init; } = 0.01;

    /// <summary>A full refresh may not shrink a segment by more than this share without --force.</summary>
    public double MaxRefreshShrink { get; init; } = 0.5;

    /// <summary>A delta may not empty a segment at least this big without --force.</summary>
    public long EmptyingGuardMinimumSize { get; init; } = 1000;
}

/// <summary>What a file did (or, for a dry run, would do) to one segment.</summary>
public sealed record SegmentOutcome(
    string Group,
    string Segment,
    SegmentType Type,
    bool Created,
    long SizeBefore,
    long SizeAfter,
    long Added,
    long Removed)
{
    public string Name => $"{Group}={Segment}";
}

/// <summary>The summary of one ingestion, as shown to operators and written beside the file.</summary>
public sealed record IngestionResult
{
    public required string Client { get; init; }

    public required string FileName { get; init; }

    public required IngestionMode Mode { get; init; }

    public required FileOutcome Outcome { get; init; }

    public required bool DryRun { get; init; }

    public string? Reason { get; init; }

    /// <summary>Refused, or a duplicate, only by a guard that <see cref="IngestionRequest.Force"/> overrides: forcing it would apply it.</summary>
    public bool Forceable { get; init; }

    public string ContentHash { get; init; } = string.Empty;

    /// <summary>What a conventional name (<c>HEMSHA2_&lt;client&gt;_&lt;YYYYMMDD&gt;.csv</c>) says: ID type, client and date.</summary>
    public Parsing.OnboardingFileName? NamedAs { get; init; }

    public long RowsRead { get; init; }

    public long RowsApplied { get; init; }

    public long RowsRejected { get; init; }

    public long NewIds { get; init; }

    public IReadOnlyList<SegmentOutcome> Segments { get; init; } = [];

    public TimeSpan Duration { get; init; }

    /// <summary>Where <see cref="Duration"/> went, for benchmarks and logs; not part of the written summary.</summary>
    [JsonIgnore]
    public IngestionTimings Timings { get; init; } = new();

    public string? RejectReportPath { get; init; }

    public string? SummaryPath { get; init; }

    public bool IsApplied => Outcome == FileOutcome.Applied;
}

/// <summary>The phases of one ingestion: hashing the file, reading it (parse + ID dictionary), resolving the
/// segments' new versions (sort, bitmaps, set operations) and committing (fsyncs, version files, journal, catalog).</summary>
public sealed record IngestionTimings
{
    public TimeSpan Hash { get; init; }

    public TimeSpan Read { get; init; }

    public TimeSpan Resolve { get; init; }

    public TimeSpan Commit { get; init; }
}

/// <summary>A whole file is refused (bad header, too many bad rows, shrink guard...): nothing was applied.</summary>
/// <param name="forceable">Only a guard that <see cref="IngestionRequest.Force"/> overrides refused it.</param>
public sealed class IngestionRefusedException(string message, bool forceable = false) : Exception(message)
{
    public bool Forceable { get; } = forceable;
}
