using JsonSerializer = System.Text.Json.JsonSerializer;
using LiteDB;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;

namespace Onboarding.Engine.Storage;

/// <summary>
/// The queryable index of a data folder (LiteDB): clients, segments, their version history and every received
/// file. It is derived from the clients' commit journals and reconciled with them on open, because a LiteDB
/// commit is not yet durable when it returns; if the file is unreadable it is rebuilt from the journals.
/// Clients may be ingested in parallel and read from any thread, so every access takes one lock: LiteDB 5.0.20 is not
/// safe to read while another thread writes (seen: "page type must be collection page" from a read that met a write).
/// </summary>
public sealed partial class Catalog : IDisposable
{
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<ClientDocument> _clients;
    private readonly ILiteCollection<SegmentDocument> _segments;
    private readonly ILiteCollection<VersionDocument> _versions;
    private readonly ILiteCollection<FileDocument> _files;
    private readonly Lock _lock = new();

    private Catalog(LiteDatabase db)
    {
        _db = db;
        _clients = db.GetCollection<ClientDocument>("clients");
        _segments = db.GetCollection<SegmentDocument>("segments");
        _versions = db.GetCollection<VersionDocument>("segment_versions");
        _files = db.GetCollection<FileDocument>("files");
        _segments.EnsureIndex(s => s.Client);
        _versions.EnsureIndex(v => v.SegmentKey);
        _files.EnsureIndex(f => f.Client);
        _files.EnsureIndex(f => f.ContentHash);
        ReceivedCollection.EnsureIndex(d => d.Path);
    }

    public static Catalog Open(string path)
    {
        var mapper = new BsonMapper();
        var connection = new ConnectionString { Filename = path, Connection = ConnectionType.Direct };
        return new Catalog(new LiteDatabase(connection, mapper));
    }

    public IReadOnlyList<string> Clients() =>
        Read<IReadOnlyList<string>>(() => [.. _clients.FindAll().Select(c => c.Id).Order(StringComparer.Ordinal)]);

    public long AppliedSequence(string client) => Read(() => _clients.FindById(client)?.AppliedSequence ?? 0);

    /// <summary>Records a journal entry; applying the same entry twice changes nothing.</summary>
    public void Apply(string client, JournalEntry entry)
    {
        lock (_lock)
        {
            ApplyLocked(client, entry);
        }
    }

    private void ApplyLocked(string client, JournalEntry entry)
    {
        _db.BeginTrans();
        try
        {
            ClientDocument clientDoc = _clients.FindById(client) ?? new ClientDocument { Id = client };
            if (entry.Sequence <= clientDoc.AppliedSequence)
            {
                _db.Rollback();
                return;
            }

            foreach (SegmentChange change in entry.Changes)
            {
                string key = SegmentKey(client, change.SegmentId);
                SegmentDocument segment = _segments.FindById(key) ?? new SegmentDocument
                {
                    Id = key,
                    Client = client,
                    SegmentId = change.SegmentId,
                    Group = change.Group,
                    Segment = change.Segment,
                    Type = change.Type,
                    Created = entry.Completed,
                };
                segment.Updated = entry.Completed;
                segment.CurrentVersion = change.Version;
                segment.Size = change.Size;
                _segments.Upsert(segment);
                _versions.Upsert(new VersionDocument
                {
                    Id = $"{key}/{change.Version}",
                    SegmentKey = key,
                    Version = change.Version,
                    Created = entry.Completed,
                    Size = change.Size,
                    Added = change.Added,
                    Removed = change.Removed,
                    Mode = entry.Mode,
                    SourceFile = entry.FileName,
                    FileSequence = entry.Sequence,
                });
            }

            _files.Upsert(new FileDocument
            {
                Id = $"{client}/{entry.Sequence}",
                Client = client,
                EntryJson = JsonSerializer.Serialize(entry, StorageJsonContext.Default.JournalEntry),
                ContentHash = entry.ContentHash,
            });
            clientDoc.AppliedSequence = entry.Sequence;
            _clients.Upsert(clientDoc);
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    public IReadOnlyList<SegmentInfo> Segments(string client) =>
        Read<IReadOnlyList<SegmentInfo>>(() => [.. _segments.Find(s => s.Client == client).Select(ToInfo)
            .OrderBy(s => s.Group, StringComparer.Ordinal).ThenBy(s => s.Segment, StringComparer.Ordinal)]);

    public SegmentInfo? FindSegment(string client, string group, string segment) =>
        Read(() => _segments.FindOne(s => s.Client == client && s.Group == group && s.Segment == segment) is { } doc
            ? ToInfo(doc)
            : null);

    public IReadOnlyList<SegmentVersionInfo> Versions(string client, int segmentId)
    {
        string key = SegmentKey(client, segmentId);
        return Read<IReadOnlyList<SegmentVersionInfo>>(() => [.. _versions.Find(v => v.SegmentKey == key).OrderBy(v => v.Version).Select(v => new SegmentVersionInfo(
            v.Version, v.Created, v.Size, v.Added, v.Removed, v.Mode, v.SourceFile, v.FileSequence))]);
    }

    public IReadOnlyList<JournalEntry> Files(string client) =>
        Read<IReadOnlyList<JournalEntry>>(() => [.. _files.Find(f => f.Client == client).Select(f => f.Entry).OrderBy(e => e.Sequence)]);

    public JournalEntry? FindApplied(string client, string contentHash) =>
        Read(() => _files.Find(f => f.ContentHash == contentHash && f.Client == client)
            .Select(f => f.Entry)
            .FirstOrDefault(e => e.Outcome == FileOutcome.Applied));

    public int NextSegmentId(string client) =>
        Read(() => _segments.Find(s => s.Client == client).Select(s => s.SegmentId).DefaultIfEmpty(0).Max() + 1);

    public void Checkpoint()
    {
        lock (_lock)
        {
            _db.Checkpoint();
        }
    }

    public void Dispose() => _db.Dispose();

    private static string SegmentKey(string client, int segmentId) => $"{client}/{segmentId}";

    private T Read<T>(Func<T> query)
    {
        lock (_lock)
        {
            return query();
        }
    }

    private static SegmentInfo ToInfo(SegmentDocument d) =>
        new(d.Client, d.SegmentId, d.Group, d.Segment, d.Type, d.Created, d.Updated, d.CurrentVersion, d.Size);

    // LiteDB maps mutable classes; these stay private so the rest of the engine sees immutable records.
    private sealed class ClientDocument
    {
        public string Id { get; set; } = string.Empty;

        public long AppliedSequence { get; set; }
    }

    private sealed class SegmentDocument
    {
        public string Id { get; set; } = string.Empty;

        public string Client { get; set; } = string.Empty;

        public int SegmentId { get; set; }

        public string Group { get; set; } = string.Empty;

        public string Segment { get; set; } = string.Empty;

        public SegmentType Type { get; set; }

        public DateTimeOffset Created { get; set; }

        public DateTimeOffset Updated { get; set; }

        public int CurrentVersion { get; set; }

        public long Size { get; set; }
    }

    private sealed class VersionDocument
    {
        public string Id { get; set; } = string.Empty;

        public string SegmentKey { get; set; } = string.Empty;

        public int Version { get; set; }

        public DateTimeOffset Created { get; set; }

        public long Size { get; set; }

        public long Added { get; set; }

        public long Removed { get; set; }

        public IngestionMode Mode { get; set; }

        public string SourceFile { get; set; } = string.Empty;

        public long FileSequence { get; set; }
    }

    private sealed class FileDocument
    {
        public string Id { get; set; } = string.Empty;

        public string Client { get; set; } = string.Empty;

        public string ContentHash { get; set; } = string.Empty;

        public string EntryJson { get; set; } = string.Empty;

        public JournalEntry Entry => JsonSerializer.Deserialize(EntryJson, StorageJsonContext.Default.JournalEntry)!;
    }
}
