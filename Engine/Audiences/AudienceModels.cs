namespace Onboarding.Engine.Audiences;

/// <summary>A draft can be edited; an active audience is frozen and processed; an inactive one is frozen and not processed.</summary>
public enum AudienceStatus
{
    Draft,
    Active,
    Inactive,
}

/// <summary>An audience: a named expression over a client's segments, and what its last processing found.</summary>
public sealed record Audience
{
    public required int Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The canonical text of the definition.</summary>
    public required string Expression { get; init; }

    public required AudienceStatus Status { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedOn { get; init; }

    public DateTimeOffset ModifiedOn { get; init; }

    public DateTimeOffset? ActivatedOn { get; init; }

    public DateTimeOffset? LastProcessed { get; init; }

    /// <summary>Size at the last processing run (null until processed).</summary>
    public long? Size { get; init; }

    /// <summary>Share of the client's base at the last processing run, 0..1.</summary>
    public double? ShareOfBase { get; init; }

    public bool IsReadOnly => Status != AudienceStatus.Draft;
}

/// <summary>One point of an audience's size over time: one per processing date.</summary>
public sealed record AudienceSizePoint(DateOnly Date, long Size, long BaseSize, DateTimeOffset ProcessedAt)
{
    public double ShareOfBase => BaseSize == 0 ? 0 : (double)Size / BaseSize;
}

/// <summary>A frozen point-in-time copy of an audience's membership, referable as <c>@"name"</c>.</summary>
public sealed record AudienceSnapshot(int Id, string Name, string AudienceName, string Expression, DateTimeOffset Created, string CreatedBy, long Size);

/// <summary>How many members of an audience are in one segment of a group (Segment null: in none of them).</summary>
public sealed record CompositionRow(string? Segment, long Count, double ShareOfAudience);

public sealed record AudienceComposition(string Audience, string Group, long AudienceSize, IReadOnlyList<CompositionRow> Rows);

/// <summary>Pairwise intersections of 2–10 audiences or segments: Counts[i][j] = |i ∩ j|.</summary>
public sealed record OverlapMatrix(IReadOnlyList<string> Items, IReadOnlyList<long> Sizes, IReadOnlyList<IReadOnlyList<long>> Counts)
{
    /// <summary>The share of row item <paramref name="row"/> that is also in <paramref name="column"/>.</summary>
    public double Share(int row, int column) => Sizes[row] == 0 ? 0 : (double)Counts[row][column] / Sizes[row];
}

/// <summary>Who entered and who left an audience between two processing dates.</summary>
public sealed record AudienceDiff(string Audience, DateOnly From, DateOnly To, long SizeFrom, long SizeTo, long Entered, long Left);

/// <summary>The result of processing every active audience for one date.</summary>
public sealed record ProcessingReport(DateOnly Date, long BaseSize, IReadOnlyList<Audience> Processed, TimeSpan Duration);

/// <summary>An audience rule was broken (editing an active audience, a name clash...): nothing changed.</summary>
public sealed class AudienceRuleException(string message) : Exception(message);
