using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Segments;

namespace Onboarding.Engine.Storage;

/// <summary>
/// One client's (tenant's) part of the data folder: its ID dictionaries, segment version files and commit
/// journal. Nothing here is shared with another client.
/// </summary>
public sealed class ClientStore : IDisposable
{
    private readonly Catalog _catalog;
    private readonly CommitJournal _journal;
    private const int VersionCacheCapacity = 256;
    private const int SuppressionSeries = 0;
    private readonly Dictionary<IdType, IdDictionary> _dictionaries = [];
    private readonly Dictionary<(int Id, int Version), RoaringBitmap> _versionCache = [];
    private readonly SegmentFiles _suppressionFiles;
    private RoaringBitmap _suppressed = new();
    private bool _broken;

    private ClientStore(string name, string folder, Catalog catalog, CommitJournal journal)
    {
        Name = name;
        Folder = folder;
        _catalog = catalog;
        _journal = journal;
        Segments = new SegmentFiles(Path.Combine(folder, "segments"));
        _suppressionFiles = new SegmentFiles(Path.Combine(folder, "suppressed"));
    }

    public string Name { get; }

    public string Folder { get; }

    public SegmentFiles Segments { get; }

    public long NextSequence => _journal.NextSequence;

    /// <summary>
    /// The members this client was asked to forget (right to erasure): no segment holds them, and ingestion and
    /// every audience read leave them out. Do not modify it.
    /// </summary>
    public RoaringBitmap Suppressed => Volatile.Read(ref _suppressed);

    /// <summary>The current suppression version (0 when nothing was ever forgotten).</summary>
    public int SuppressionVersion { get; private set; }

    /// <summary>The file of one version of the suppression set.</summary>
    public string SuppressionPathOf(int version) => _suppressionFiles.PathOf(SuppressionSeries, version);

    /// <summary><paramref name="members"/> without the suppressed ones (the same instance when none of them is).</summary>
    public RoaringBitmap WithoutSuppressed(RoaringBitmap members)
    {
        RoaringBitmap suppressed = Suppressed;
        return suppressed.IsEmpty || !members.Intersects(suppressed) ? members : members - suppressed;
    }

    /// <summary>
    /// Opens a client's folder and brings the catalog level with the journal: entries the catalog lost in a
    /// crash are applied again, and version files no committed entry names are deleted.
    /// </summary>
    internal static ClientStore Open(string name, string folder, Catalog catalog)
    {
        DataFolder.CreatePrivateDirectory(folder);
        CommitJournal journal = CommitJournal.Open(Path.Combine(folder, "commits.log"));
        var store = new ClientStore(name, folder, catalog, journal);
        try
        {
            store.Recover();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a write failed (a full disk, a read-only folder): the data folder reopens the store, recovering it
    /// from the journal, the next time it is asked for.
    /// </summary>
    public bool IsBroken => _broken || _dictionaries.Values.Any(d => d.IsFaulted);

    /// <summary>The client's dictionary for one ID type, opened on first use.</summary>
    public IdDictionary Dictionary(IdType type)
    {
        if (!_dictionaries.TryGetValue(type, out IdDictionary? dictionary))
        {
            DataFolder.CreatePrivateDirectory(Path.Combine(Folder, "ids"));
            dictionary = IdDictionary.Open(DictionaryPath(type), type);
            _dictionaries.Add(type, dictionary);
        }

        return dictionary;
    }

    /// <summary>The file of the client's dictionary for one ID type (it exists once an ID of the type was onboarded).</summary>
    public string DictionaryPath(IdType type) => Path.Combine(Folder, "ids", IdTypes.FileName(type) + ".ids");

    /// <summary>
    /// Reads the client's IDs of one type by ordinal, for an export: through the dictionary when this process has it
    /// open already (it may go on adding IDs meanwhile), otherwise from the committed records of its file, neither
    /// loading them all nor building the index (a 10M-ID dictionary takes ≈ 570 MB once opened), and without opening
    /// it for the rest of the process. Call it where <see cref="Dictionary"/> may be called (under the client's write
    /// lock); the reader may then be used on another thread while ingestion goes on. Dispose it when done.
    /// </summary>
    /// <exception cref="InvalidDataException">The dictionary file is damaged (see <see cref="IdFileReader.Open"/>).</exception>
    public IIdReader OpenIdReader(IdType type) =>
        _dictionaries.TryGetValue(type, out IdDictionary? dictionary)
            ? new OpenDictionaryReader(dictionary)
            : IdFileReader.Open(DictionaryPath(type), type);

    public SegmentInfo? FindSegment(string group, string segment) => _catalog.FindSegment(Name, group, segment);

    public IReadOnlyList<SegmentInfo> ListSegments() => _catalog.Segments(Name);

    /// <summary>
    /// The current members of a segment. Versions are immutable, so they are cached; callers must not modify
    /// the bitmap they get (clone it first).
    /// </summary>
    public RoaringBitmap ReadMembers(SegmentInfo segment)
    {
        lock (_versionCache)
        {
            if (_versionCache.TryGetValue((segment.Id, segment.CurrentVersion), out RoaringBitmap? cached))
            {
                return cached;
            }
        }

        RoaringBitmap members = Segments.Read(segment.Id, segment.CurrentVersion);
        lock (_versionCache)
        {
            if (_versionCache.Count >= VersionCacheCapacity)
            {
                _versionCache.Clear();
            }

            _versionCache[(segment.Id, segment.CurrentVersion)] = members;
        }

        return members;
    }

    /// <summary>The ID text of a member value (as exports and reports write it).</summary>
    public string FormatMember(uint member)
    {
        (IdType type, uint ordinal) = MemberSpace.FromMember(member);
        Span<byte> id = stackalloc byte[IdTypes.ByteLength(type)];
        Dictionary(type).GetId(ordinal, id);
        return IdCodec.Format(type, id);
    }

    public JournalEntry? FindApplied(string contentHash) => _catalog.FindApplied(Name, contentHash);

    public int NextSegmentId() => _catalog.NextSegmentId(Name);

    /// <summary>
    /// Commits a file's effect atomically. Order matters for crash safety: dictionaries are fsynced (every
    /// ordinal a new version mentions is durable), version files are written durably, then the journal line
    /// is appended and fsynced (the commit point), then the catalog is updated.
    /// </summary>
    public void Commit(JournalEntry entry, IReadOnlyList<(SegmentChange Change, RoaringBitmap Members)> versions, RoaringBitmap? suppressed = null)
    {
        if ((entry.Suppression is null) != (suppressed is null))
        {
            throw new ArgumentException("A suppression change and the suppressed members go together.", nameof(suppressed));
        }

        try
        {
            foreach (IdDictionary dictionary in _dictionaries.Values)
            {
                dictionary.Flush();
            }

            foreach ((SegmentChange change, RoaringBitmap members) in versions)
            {
                Segments.Write(change.SegmentId, change.Version, members);
            }

            if (entry.Suppression is { } suppression)
            {
                _suppressionFiles.Write(SuppressionSeries, suppression.Version, suppressed!);
            }

            _journal.Append(entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Version files already written are debris no journal line names; reopening deletes them and drops
            // whatever the dictionaries could not make durable. Until then this instance must not be used.
            _broken = true;
            throw new StoreWriteException(
                $"Could not commit {entry.FileName} for client {Name}: {ex.Message} Nothing was committed; the client's segments are as they were. " +
                "Free disk space or make the data folder writable, then send the file again.",
                ex);
        }

        if (entry.Suppression is { } committed)
        {
            Volatile.Write(ref _suppressed, suppressed!);
            SuppressionVersion = committed.Version;
        }

        try
        {
            _catalog.Apply(Name, entry);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new CatalogBehindException(
                $"{entry.FileName} was committed for client {Name}, but the catalog could not record it ({ex.Message}); " +
                "it catches up from the journal when the data folder is opened again: restart onboard.",
                ex);
        }
    }

    public void Dispose()
    {
        try
        {
            foreach (IdDictionary dictionary in _dictionaries.Values)
            {
                if (IsBroken)
                {
                    // Ordinals not yet flushed belong to the failed commit; nothing durable refers to them.
                    dictionary.CloseWithoutFlush();
                }
                else
                {
                    dictionary.Dispose();
                }
            }
        }
        finally
        {
            _journal.Dispose();
        }
    }

    private void Recover()
    {
        long applied = _catalog.AppliedSequence(Name);
        var committed = new HashSet<(int, int)>();
        var suppressions = new HashSet<(int, int)>();
        foreach (JournalEntry entry in _journal.Entries)
        {
            if (entry.Suppression is { } suppression)
            {
                suppressions.Add((SuppressionSeries, suppression.Version));
                SuppressionVersion = suppression.Version;
            }

            if (entry.Sequence > applied)
            {
                _catalog.Apply(Name, entry);
            }

            foreach (SegmentChange change in entry.Changes)
            {
                committed.Add((change.SegmentId, change.Version));
            }
        }

        Segments.DeleteUnreferenced(committed);
        _suppressionFiles.DeleteUnreferenced(suppressions);
        if (SuppressionVersion > 0)
        {
            _suppressed = _suppressionFiles.Read(SuppressionSeries, SuppressionVersion);
        }
    }

    /// <summary>Reads through a dictionary this store owns: disposing the reader leaves the dictionary open.</summary>
    private sealed class OpenDictionaryReader(IdDictionary dictionary) : IIdReader
    {
        public int KeyLength => dictionary.KeyLength;

        public void GetId(uint ordinal, Span<byte> destination) => dictionary.GetId(ordinal, destination);

        public void Dispose()
        {
        }
    }
}
