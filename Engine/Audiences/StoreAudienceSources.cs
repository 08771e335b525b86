using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Audiences;

/// <summary>
/// A client's segments, base, audiences and snapshots as one expression sees them. Built per operation: the
/// base comes from the service's <see cref="BaseCache"/>, and an audience being edited can be given its new definition.
/// </summary>
internal sealed class StoreAudienceSources : IAudienceSources
{
    private readonly ClientStore _store;
    private readonly AudienceDocument _document;
    private readonly AudienceFiles _files;
    private readonly BaseCache _baseCache;
    private readonly (string Name, string Expression)? _pending;
    private readonly Dictionary<(string, string), SegmentInfo> _segments;
    private RoaringBitmap? _base;

    public StoreAudienceSources(
        ClientStore store, AudienceDocument document, AudienceFiles files, BaseCache baseCache, (string Name, string Expression)? pending = null)
    {
        _store = store;
        _document = document;
        _files = files;
        _baseCache = baseCache;
        _pending = pending;
        IReadOnlyList<SegmentInfo> segments = store.ListSegments();
        _segments = segments.ToDictionary(s => (s.Group, s.Segment));
        Groups = segments.GroupBy(s => s.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(s => s.Segment)], StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; }

    public RoaringBitmap? Segment(string group, string segment) =>
        _segments.TryGetValue((group, segment), out SegmentInfo? info) ? _store.ReadMembers(info) : null;

    public RoaringBitmap Base() => _base ??= _baseCache.Get(_store, _segments.Values);

    public AudienceReference? Reference(string name)
    {
        if (_pending is { } pending && pending.Name == name)
        {
            return new AudienceReference.Audience(name, pending.Expression);
        }

        if (_document.Audiences.Find(a => a.Name == name) is { } audience)
        {
            return new AudienceReference.Audience(audience.Name, audience.Expression);
        }

        return _document.Snapshots.Find(s => s.Name == name) is { } snapshot
            ? new AudienceReference.Snapshot(snapshot.Name, _store.WithoutSuppressed(_files.ReadSnapshot(snapshot.Id)))
            : null;
    }
}

/// <summary>
/// A client's base (the union of its segments' current versions), kept while those versions stay current: every
/// preview and processing run needs it, and it costs a wide union of every segment.
/// </summary>
internal sealed class BaseCache
{
    private readonly Lock _gate = new();
    private (int Id, int Version)[] _versions = [];
    private RoaringBitmap? _base;

    /// <summary>The union of the segments' current members; shared, never to be modified.</summary>
    public RoaringBitmap Get(ClientStore store, IEnumerable<SegmentInfo> segments)
    {
        (int Id, int Version)[] versions = [.. segments.Select(s => (s.Id, s.CurrentVersion)).Order()];
        lock (_gate)
        {
            if (_base is not null && versions.AsSpan().SequenceEqual(_versions))
            {
                return _base;
            }
        }

        RoaringBitmap union = RoaringBitmap.Or([.. segments.Select(store.ReadMembers)]);
        lock (_gate)
        {
            (_versions, _base) = (versions, union);
        }

        return union;
    }
}
