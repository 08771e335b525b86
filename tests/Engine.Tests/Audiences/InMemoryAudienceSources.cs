using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Audiences;

/// <summary>
/// <see cref="IAudienceSources"/> over plain sets, for tests: segments, audiences (by expression text) and
/// snapshots added in code. Counts the calls (to check memoisation) and can check that nobody modified the bitmaps
/// it handed out.
/// </summary>
public sealed class InMemoryAudienceSources(bool runOptimize = false) : IAudienceSources
{
    private readonly Dictionary<string, List<string>> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string Segment), (RoaringBitmap Bitmap, uint[] Values)> _segments = [];
    private readonly Dictionary<string, AudienceReference> _references = new(StringComparer.Ordinal);
    private readonly List<(RoaringBitmap Bitmap, uint[] Values)> _handedOut = [];

    private Dictionary<string, IReadOnlyList<string>>? _groupsView;
    private HashSet<uint>? _baseSet;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups =>
        _groupsView ??= _groups.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Calls of <see cref="Segment"/>, by <c>Group=Segment</c>.</summary>
    public Dictionary<string, int> SegmentCalls { get; } = new(StringComparer.Ordinal);

    public int BaseCalls { get; private set; }

    /// <summary>Calls of <see cref="Reference"/>, by name.</summary>
    public Dictionary<string, int> ReferenceCalls { get; } = new(StringComparer.Ordinal);

    public InMemoryAudienceSources AddSegment(string group, string segment, params IEnumerable<uint> members)
    {
        uint[] values = [.. members.Distinct().Order()];
        if (!_groups.TryGetValue(group, out List<string>? segments))
        {
            _groups[group] = segments = [];
        }

        if (!segments.Contains(segment))
        {
            segments.Add(segment);
        }

        _segments[(group, segment)] = (Build(values), values);
        _groupsView = null;
        _baseSet = null;
        return this;
    }

    public InMemoryAudienceSources AddAudience(string name, string expression)
    {
        _references[name] = new AudienceReference.Audience(name, expression);
        return this;
    }

    public InMemoryAudienceSources AddSnapshot(string name, params IEnumerable<uint> members)
    {
        uint[] values = [.. members.Distinct().Order()];
        RoaringBitmap bitmap = Build(values);
        _handedOut.Add((bitmap, values));
        _references[name] = new AudienceReference.Snapshot(name, bitmap);
        return this;
    }

    public RoaringBitmap? Segment(string group, string segment)
    {
        string key = $"{group}={segment}";
        SegmentCalls[key] = SegmentCalls.GetValueOrDefault(key) + 1;
        return _segments.TryGetValue((group, segment), out var entry) ? entry.Bitmap : null;
    }

    public RoaringBitmap Base()
    {
        BaseCalls++;
        uint[] values = [.. BaseSet().Order()];
        RoaringBitmap bitmap = Build(values);
        _handedOut.Add((bitmap, values));
        return bitmap;
    }

    public AudienceReference? Reference(string name)
    {
        ReferenceCalls[name] = ReferenceCalls.GetValueOrDefault(name) + 1;
        return _references.GetValueOrDefault(name);
    }

    /// <summary>The members of a segment as a set (empty when there is no such segment).</summary>
    public HashSet<uint> SegmentSet(string group, string segment) =>
        _segments.TryGetValue((group, segment), out var entry) ? [.. entry.Values] : [];

    /// <summary>Every member of any segment (a new set each call).</summary>
    public HashSet<uint> BaseSet() => [.. _baseSet ??= [.. _segments.Values.SelectMany(s => s.Values)]];

    /// <summary>A snapshot's members as a set.</summary>
    public HashSet<uint> SnapshotSet(string name) =>
        _references[name] is AudienceReference.Snapshot s ? [.. s.Members] : throw new ArgumentException($"{name} is not a snapshot");

    /// <summary>Fails when any bitmap handed out (segments, base, snapshots) no longer holds what it held.</summary>
    public void AssertUnmodified()
    {
        foreach ((RoaringBitmap bitmap, uint[] values) in _segments.Values.Concat(_handedOut))
        {
            Assert.Equal(values, bitmap.ToArray());
        }
    }

    /// <summary>Arrays and bitsets, or with runOptimize the run containers where they are smaller.</summary>
    private RoaringBitmap Build(uint[] values)
    {
        var bitmap = RoaringBitmap.FromSorted(values);
        if (runOptimize)
        {
            bitmap.RunOptimize();
        }

        return bitmap;
    }
}
