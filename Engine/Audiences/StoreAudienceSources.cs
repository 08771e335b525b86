using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Audiences;

/// <summary>
/// A client's segments, base, audiences and snapshots as one expression sees them. Built per operation: the
/// base is computed at most once, and an audience being edited can be given its new definition.
/// </summary>
internal sealed class StoreAudienceSources : IAudienceSources
{
    private readonly ClientStore _store;
    private readonly AudienceDocument _document;
    private readonly AudienceFiles _files;
    private readonly (string Name, string Expression)? _pending;
    private readonly Dictionary<(string, string), SegmentInfo> _segments;
    private RoaringBitmap? _base;

    public StoreAudienceSources(ClientStore store, AudienceDocument document, AudienceFiles files, (string Name, string Expression)? pending = null)
    {
        _store = store;
        _document = document;
        _files = files;
        _pending = pending;
        IReadOnlyList<SegmentInfo> segments = store.ListSegments();
        _segments = segments.ToDictionary(s => (s.Group, s.Segment));
        Groups = segments.GroupBy(s => s.Group, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(s => s.Segment)], StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; }

    public RoaringBitmap? Segment(string group, string segment) =>
        _segments.TryGetValue((group, segment), out SegmentInfo? info) ? _store.ReadMembers(info) : null;

    public RoaringBitmap Base() => _base ??= RoaringBitmap.Or(_segments.Values.Select(_store.ReadMembers));

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
