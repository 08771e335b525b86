using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// What an audience expression is checked and evaluated against: one client's segments, its base, and its
/// other audiences and snapshots (referred to as <c>@"name"</c>). The audience service implements it over the
/// store; tests implement it over plain sets.
/// </summary>
public interface IAudienceSources
{
    /// <summary>Every group of the client, with its segments (used for <c>"Group=*"</c> and for suggestions).</summary>
    IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; }

    /// <summary>The members of one segment, or null when the client has no such segment.</summary>
    RoaringBitmap? Segment(string group, string segment);

    /// <summary>The client's base: every member currently in at least one of its segments (what NOT is relative to).</summary>
    RoaringBitmap Base();

    /// <summary>
    /// What <c>@"name"</c> refers to: another audience's definition (evaluated in turn, cycles are an error)
    /// or a snapshot's frozen membership; null when nothing has that name.
    /// </summary>
    AudienceReference? Reference(string name);
}

/// <summary>An audience (by its expression text) or a snapshot (by its frozen members).</summary>
public abstract record AudienceReference
{
    public sealed record Audience(string Name, string Expression) : AudienceReference;

    public sealed record Snapshot(string Name, RoaringBitmap Members) : AudienceReference;
}
