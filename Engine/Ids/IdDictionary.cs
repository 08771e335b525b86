using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Onboarding.Engine.Ids;

/// <summary>
/// The ID dictionary of one (client, ID type): every binary ID ever onboarded gets a dense ordinal (0, 1, 2, …)
/// so that segments can be bitmaps of ordinals. Backed by one append-only file of fixed-size records
/// (ordinal = record index) and an in-memory hash index rebuilt when the file is opened.
/// </summary>
/// <remarks>
/// <para><b>File.</b> Two 4 KiB header pages (magic, format version, ID type, key length, and a commit record;
/// see <see cref="IdDictionaryHeader"/>), then records of exactly <see cref="KeyLength"/> bytes: about
/// <see cref="KeyLength"/> bytes per ID on disk.</para>
/// <para><b>Durability contract.</b> <see cref="GetOrAdd(ReadOnlySpan{byte})"/> hands out an ordinal at once, but
/// the ordinal is durable only when a later <see cref="Flush"/> (or <see cref="Dispose"/>) has returned: Flush
/// writes the buffered records, then a commit record (count and hash of the records it adds) into the header page
/// not holding the previous commit, then fsyncs. After a crash at any point, opening the file yields exactly the
/// records of the last commit that fully reached the disk — a prefix of the ordinals handed out that includes
/// everything flushed; a torn or partly written tail (records or commit) is recognised and dropped, never read.
/// Ordinals handed out after the last completed Flush may, after a crash, be handed out again to other IDs.
/// <b>Callers must therefore never make durable anything that refers to an ordinal (a segment file, a journal
/// record) before a Flush that covers it has returned.</b> Within that rule no ordinal is ever reassigned.
/// Unused ordinals (handed out, then the caller's work abandoned) are harmless and are not rolled back.</para>
/// <para><b>Failures.</b> If a write or fsync fails, the instance becomes unusable (further calls throw
/// <see cref="InvalidOperationException"/>): after a failed fsync the kernel may have dropped the dirty pages,
/// so the only safe continuation is to reopen the file.</para>
/// <para><b>Threads.</b> One writer: <c>GetOrAdd</c>, <c>TryGetOrdinal</c>, <c>Flush</c> and <c>Dispose</c> must
/// not run concurrently with each other. <see cref="GetId"/> and <see cref="Count"/> may be called from other
/// threads at the same time as the writer (e.g. an export reading while an ingestion adds), for ordinals below a
/// <see cref="Count"/> the reader has observed.</para>
/// <para><b>Sharing.</b> One writer per file: the writer holds an exclusive lock on a companion file
/// (<c>&lt;file&gt;.lock</c>, an advisory lock on Unix that the OS releases when the process dies), so a second
/// process or instance opening the same dictionary fails with an <see cref="IOException"/>. The dictionary file
/// itself is opened sharing reads, so that <see cref="IdFileReader"/> (an export in this or another process) can
/// read its committed records while the writer appends: records are append-only and an ordinal is never reassigned.
/// The lock is on the companion file because an exclusive lock on the dictionary file would shut readers out.</para>
/// <para><b>Memory.</b> All records are kept in memory (ordinal → ID is an array lookup) plus the index's 8-byte
/// slots at 50–75 % load: about KeyLength + 13 bytes per ID.</para>
/// </remarks>
public sealed class IdDictionary : IDisposable
{
    /// <summary>The largest number of IDs a dictionary can hold (ordinals are <see cref="uint"/>s).</summary>
    public const long MaxCount = uint.MaxValue;

    private const int WriteBehindBytes = 4 << 20;
    private const int SlotLead = 16;
    private const int RecordLead = 8;
    private const int HashRing = 32;

    private readonly SafeFileHandle _file;
    private readonly SafeFileHandle _writerLock;
    private readonly RecordStore _records;
    private readonly OrdinalIndex _index;
    private readonly XxHash3 _batchHasher = new();
    private readonly byte[] _headerBuffer = new byte[IdDictionaryHeader.EncodedLength];
    private readonly int _keyLength;
    private IdDictionaryHeader _committed;
    private long _count;
    private long _written;
    private bool _faulted;
    private bool _disposed;

    private IdDictionary(string path, IdType type, SafeFileHandle file, SafeFileHandle writerLock, RecordStore records, OrdinalIndex index, IdDictionaryHeader committed)
    {
        Path = path;
        Type = type;
        _file = file;
        _writerLock = writerLock;
        _records = records;
        _index = index;
        _keyLength = records.KeyLength;
        _committed = committed;
        _count = committed.Count;
        _written = committed.Count;
    }

    /// <summary>The full path of the dictionary file.</summary>
    public string Path { get; }

    public IdType Type { get; }

    /// <summary>Bytes per ID: <see cref="IdTypes.ByteLength"/> of <see cref="Type"/>.</summary>
    public int KeyLength => _keyLength;

    /// <summary>The number of ordinals handed out (flushed or not); the next new ID gets this ordinal.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Whether a write failed: the instance is unusable and the file must be reopened (see the class remarks).</summary>
    public bool IsFaulted => _faulted;

    /// <summary>The number of ordinals made durable by the last <see cref="Flush"/>.</summary>
    public long FlushedCount => _committed.Count;

    /// <summary>Bytes of memory held by the records and the index (not counting the runtime's overhead).</summary>
    public long MemoryBytes => _records.AllocatedBytes + _index.AllocatedBytes;

    /// <summary>
    /// Opens the dictionary file at <paramref name="path"/>, creating it (and its directory) if missing.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an ID dictionary, is of another ID type or key
    /// length or format version, or its committed records are damaged. The message names the file.</exception>
    /// <exception cref="IOException">The file cannot be opened, e.g. another writer (instance or process) holds its lock; readers do not block it.</exception>
    public static IdDictionary Open(string path, IdType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int keyLength = IdTypes.ByteLength(type);
        string fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        SafeFileHandle writerLock = LockForWriting(fullPath);
        SafeFileHandle? file = null;
        try
        {
            if (!File.Exists(fullPath))
            {
                Create(fullPath, type, keyLength);
            }

            file = File.OpenHandle(fullPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            return Load(fullPath, type, keyLength, file, writerLock);
        }
        catch
        {
            file?.Dispose();
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The ordinal of <paramref name="id"/>, adding it with the next ordinal if it is new. The new ordinal is
    /// durable only after the next <see cref="Flush"/> (see the class remarks).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not <see cref="KeyLength"/> bytes.</exception>
    public uint GetOrAdd(ReadOnlySpan<byte> id)
    {
        ThrowIfUnusable();
        CheckKeyLength(id.Length, nameof(id));
        return GetOrAdd(id, OrdinalIndex.Hash(id));
    }

    /// <summary>
    /// <see cref="GetOrAdd(ReadOnlySpan{byte})"/> for <c>ordinals.Length</c> IDs laid end to end in
    /// <paramref name="ids"/>; <c>ordinals[i]</c> receives the ordinal of the i-th. Same result as calling the
    /// single form in order (an ID repeated within the batch gets one ordinal), but faster: the index slots are
    /// fetched ahead.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is not <c>ordinals.Length × KeyLength</c> bytes.</exception>
    public void GetOrAdd(ReadOnlySpan<byte> ids, Span<uint> ordinals)
    {
        ThrowIfUnusable();
        if (ids.Length != (long)ordinals.Length * _keyLength)
        {
            throw new ArgumentException(
                $"Expected {ordinals.Length} IDs of {_keyLength} bytes ({(long)ordinals.Length * _keyLength} bytes), got {ids.Length} bytes.",
                nameof(ids));
        }

        // A software pipeline: the index slot of ID i + SlotLead and the record its fingerprint points at for
        // ID i + RecordLead are fetched while ID i is resolved, so the cache misses overlap.
        Span<ulong> hashes = stackalloc ulong[HashRing];
        int n = ordinals.Length;
        for (int i = 0; i < Math.Min(SlotLead, n); i++)
        {
            hashes[i] = OrdinalIndex.Hash(ids.Slice(i * _keyLength, _keyLength));
            _index.Prefetch(hashes[i]);
        }

        for (int i = 0; i < n; i++)
        {
            int ahead = i + SlotLead;
            if (ahead < n)
            {
                ulong hash = OrdinalIndex.Hash(ids.Slice(ahead * _keyLength, _keyLength));
                hashes[ahead & (HashRing - 1)] = hash;
                _index.Prefetch(hash);
            }

            if (i + RecordLead < n)
            {
                _index.PrefetchCandidate(hashes[(i + RecordLead) & (HashRing - 1)]);
            }

            ordinals[i] = GetOrAdd(ids.Slice(i * _keyLength, _keyLength), hashes[i & (HashRing - 1)]);
        }
    }

    /// <summary>The ordinal of <paramref name="id"/> if it is in the dictionary; never adds.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not <see cref="KeyLength"/> bytes.</exception>
    public bool TryGetOrdinal(ReadOnlySpan<byte> id, out uint ordinal)
    {
        ThrowIfUnusable();
        CheckKeyLength(id.Length, nameof(id));
        return _index.TryGet(id, OrdinalIndex.Hash(id), out ordinal);
    }

    /// <summary>
    /// Writes the ID of <paramref name="ordinal"/> (<see cref="KeyLength"/> bytes) to the start of
    /// <paramref name="destination"/>. Safe to call from other threads than the writer's (see the class remarks).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ordinal"/> is not below <see cref="Count"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="KeyLength"/>.</exception>
    public void GetId(uint ordinal, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long count = Count;
        if (ordinal >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"The dictionary holds {count} IDs.");
        }

        if (destination.Length < _keyLength)
        {
            throw new ArgumentException($"The destination must hold {_keyLength} bytes, it has {destination.Length}.", nameof(destination));
        }

        _records.Get(ordinal).CopyTo(destination);
    }

    /// <summary>
    /// Makes every ordinal handed out so far durable: writes the buffered records, then a commit record, then
    /// fsyncs the file. Cheap when nothing was added since the last Flush.
    /// </summary>
    public void Flush()
    {
        ThrowIfUnusable();
        if (_count == _committed.Count)
        {
            return;
        }

        try
        {
            WritePending();
            Commit(_count);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Copies the file as it stands (for a backup), safe while the writer adds: the header pages are read first and
    /// the records after them, so every commit the copy's headers hold has its records in the copy (a Flush writes
    /// records before their commit). Opening the copy yields at least everything flushed before this was called.
    /// </summary>
    public void CopyTo(Stream destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] buffer = new byte[1 << 20];
        int header = ReadFully(_file, buffer.AsSpan(0, IdDictionaryHeader.DataOffset), 0);
        destination.Write(buffer, 0, header);
        long length = RandomAccess.GetLength(_file);
        for (long offset = IdDictionaryHeader.DataOffset; offset < length;)
        {
            int read = RandomAccess.Read(_file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset);
            if (read == 0)
            {
                break;
            }

            destination.Write(buffer, 0, read);
            offset += read;
        }
    }

    /// <summary>Flushes (unless a previous write failed) and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_faulted)
            {
                Flush();
            }
        }
        finally
        {
            _disposed = true;
            _file.Dispose();
            _writerLock.Dispose();
        }
    }

    /// <summary>Writes the records not yet written, without fsync and without a commit (write-behind).</summary>
    internal void WritePending()
    {
        while (_written < _count)
        {
            ReadOnlySpan<byte> run = _records.Run(_written, _count);
            RandomAccess.Write(_file, run, RecordOffset(_written));
            _written += run.Length / _keyLength;
        }
    }

    /// <summary>Closes the file as a killed process would, without flushing: for crash tests, and for a store whose commit failed.</summary>
    internal void CloseWithoutFlush()
    {
        _disposed = true;
        _file.Dispose();
        _writerLock.Dispose();
    }

    private uint GetOrAdd(ReadOnlySpan<byte> id, ulong hash)
    {
        long count = _count;
        if (count >= MaxCount)
        {
            return _index.TryGet(id, hash, out uint existing)
                ? existing
                : throw new InvalidOperationException($"The ID dictionary '{Path}' is full ({MaxCount} IDs).");
        }

        // Reserve the record first, so that a failed allocation leaves the index untouched.
        Span<byte> record = _records.Prepare(count);
        uint ordinal = _index.GetOrAdd(id, hash, (uint)count, out bool added);
        if (added)
        {
            id.CopyTo(record);
            Volatile.Write(ref _count, count + 1);
            if ((count + 1 - _written) * _keyLength >= WriteBehindBytes)
            {
                try
                {
                    WritePending();
                }
                catch
                {
                    _faulted = true;
                    throw;
                }
            }
        }

        return ordinal;
    }

    private void Commit(long count)
    {
        IdDictionaryHeader next = _committed with
        {
            Sequence = _committed.Sequence + 1,
            Count = count,
            PreviousCount = _committed.Count,
            BatchHash = HashRecords(_committed.Count, count),
        };
        next.Write(_headerBuffer);
        RandomAccess.Write(_file, _headerBuffer, IdDictionaryHeader.PageOffset(next.Sequence));
        RandomAccess.FlushToDisk(_file);
        _committed = next;
    }

    private ulong HashRecords(long from, long to)
    {
        _batchHasher.Reset();
        while (from < to)
        {
            ReadOnlySpan<byte> run = _records.Run(from, to);
            _batchHasher.Append(run);
            from += run.Length / _keyLength;
        }

        return _batchHasher.GetCurrentHashAsUInt64();
    }

    private long RecordOffset(long ordinal) => IdDictionaryHeader.DataOffset + (ordinal * _keyLength);

    private void CheckKeyLength(int length, string parameterName)
    {
        if (length != _keyLength)
        {
            throw new ArgumentException($"A {IdTypes.FileName(Type)} ID is {_keyLength} bytes, got {length}.", parameterName);
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted)
        {
            throw new InvalidOperationException($"A write to the ID dictionary '{Path}' failed; reopen it to continue.");
        }
    }

    private static void Create(string path, IdType type, int keyLength)
    {
        string directory = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temporary = path + ".creating";
        byte[] pages = new byte[IdDictionaryHeader.DataOffset];
        ulong emptyHash = XxHash3.HashToUInt64([]);
        for (ulong sequence = 0; sequence < 2; sequence++)
        {
            new IdDictionaryHeader(IdDictionaryHeader.CurrentVersion, type, keyLength, sequence, 0, 0, emptyHash)
                .Write(pages.AsSpan((int)IdDictionaryHeader.PageOffset(sequence)));
        }

        using (SafeFileHandle file = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(file, pages, 0);
            RandomAccess.FlushToDisk(file);
        }

        File.Move(temporary, path, overwrite: false);
        Storage.DurableFile.FlushDirectory(directory);
    }

    /// <summary>The exclusive lock of the one writer of <paramref name="path"/> (see the class remarks on sharing).</summary>
    private static SafeFileHandle LockForWriting(string path)
    {
        try
        {
            // Never deleted: removing a lock file while another process waits to open it would let two writers in.
            return File.OpenHandle(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException(
                $"The ID dictionary '{path}' cannot be opened for writing ({ex.Message}); only one instance, in one process, may write it at a time.", ex);
        }
    }

    private static IdDictionary Load(string path, IdType type, int keyLength, SafeFileHandle file, SafeFileHandle writerLock)
    {
        long length = RandomAccess.GetLength(file);
        (IdDictionaryHeader newest, IdDictionaryHeader? older) = ReadHeaders(path, file, type, keyLength);
        long recordsInFile = Math.Max(0, length - IdDictionaryHeader.DataOffset) / keyLength;
        long claimed = Math.Max(newest.Count, older?.Count ?? 0);
        long toLoad = Math.Min(Math.Clamp(claimed, 0, MaxCount), recordsInFile);
        var records = new RecordStore(keyLength, toLoad);
        // Each chunk of records is read on its own, in parallel: copying from the page cache (and faulting in
        // the fresh memory) is most of a warm open's time before indexing.
        records.Reserve(toLoad);
        long chunks = (toLoad + RecordStore.RecordsPerChunk - 1) / RecordStore.RecordsPerChunk;
        bool shrank = false;
        Parallel.For(0, chunks, chunk =>
        {
            long from = chunk * RecordStore.RecordsPerChunk;
            Span<byte> run = records.PrepareRun(from, toLoad);
            if (ReadFully(file, run, IdDictionaryHeader.DataOffset + (from * keyLength)) != run.Length)
            {
                shrank = true;
            }
        });
        if (shrank)
        {
            throw Damaged(path, "the file shrank while it was being read");
        }

        var hasher = new XxHash3();
        IdDictionaryHeader committed = ChooseCommit(path, newest, older, recordsInFile, header =>
        {
            hasher.Reset();
            for (long from = header.PreviousCount; from < header.Count;)
            {
                ReadOnlySpan<byte> run = records.Run(from, header.Count);
                hasher.Append(run);
                from += run.Length / keyLength;
            }

            return hasher.GetCurrentHashAsUInt64();
        });

        var index = new OrdinalIndex(records, committed.Count);
        if (index.Load(committed.Count) is (long first, long second))
        {
            throw Damaged(path, $"records {first} and {second} hold the same ID");
        }

        if (length > IdDictionaryHeader.DataOffset + (committed.Count * keyLength))
        {
            // Uncommitted records (written, never committed) are dropped.
            RandomAccess.SetLength(file, IdDictionaryHeader.DataOffset + (committed.Count * keyLength));
        }

        var dictionary = new IdDictionary(path, type, file, writerLock, records, index, committed);
        if (committed != newest)
        {
            // Overwrite the stale newer copy, so that it can never be mistaken for a commit again.
            dictionary.Commit(committed.Count);
        }

        return dictionary;
    }

    /// <summary>
    /// The newest valid header copy of the file, and the one before it if that copy is valid too (a commit can be
    /// checked against it). The newest copy must be of this ID type, key length and format version.
    /// </summary>
    internal static (IdDictionaryHeader Newest, IdDictionaryHeader? Older) ReadHeaders(string path, SafeFileHandle file, IdType type, int keyLength)
    {
        byte[] pages = new byte[IdDictionaryHeader.DataOffset];
        int headerBytes = ReadFully(file, pages, 0);
        ReadOnlySpan<byte> page0 = pages.AsSpan(0, IdDictionaryHeader.PageSize);
        ReadOnlySpan<byte> page1 = pages.AsSpan(IdDictionaryHeader.PageSize, Math.Max(0, headerBytes - IdDictionaryHeader.PageSize));
        bool valid0 = IdDictionaryHeader.TryRead(page0, out IdDictionaryHeader header0);
        bool valid1 = IdDictionaryHeader.TryRead(page1, out IdDictionaryHeader header1);
        if (!valid0 && !valid1)
        {
            throw IdDictionaryHeader.HasMagic(page0) || IdDictionaryHeader.HasMagic(page1)
                ? Damaged(path, "both header copies are damaged")
                : new InvalidDataException($"'{path}' is not an ID dictionary file (no OBIDDICT magic).");
        }

        (IdDictionaryHeader Newest, IdDictionaryHeader? Older) copies =
            !valid1 ? (header0, null)
            : !valid0 ? (header1, null)
            : header1.Sequence > header0.Sequence ? (header1, header0) : (header0, header1);
        CheckCompatible(path, copies.Newest, type, keyLength);
        return copies;
    }

    /// <summary>
    /// The commit to trust: the newest if all its records are in the file and hash to its batch hash, else the one
    /// before it when the newest is that one's direct successor (a crash inside Flush). <paramref name="batchHash"/>
    /// hashes the records a commit added (<c>PreviousCount..Count</c>), which the caller has checked are in the file.
    /// </summary>
    /// <exception cref="InvalidDataException">Neither commit is intact: committed records are missing or damaged.</exception>
    internal static IdDictionaryHeader ChooseCommit(string path, IdDictionaryHeader newest, IdDictionaryHeader? older, long recordsInFile, Func<IdDictionaryHeader, ulong> batchHash)
    {
        if (IsIntact(newest, recordsInFile, batchHash))
        {
            return newest;
        }

        if (older is { } previous && previous.Sequence + 1 == newest.Sequence && previous.Count == newest.PreviousCount
            && IsIntact(previous, recordsInFile, batchHash))
        {
            CheckCompatible(path, previous, newest.Type, newest.KeyLength);
            return previous;
        }

        throw Damaged(path, $"the committed records are missing or damaged (header: {newest.Count} records, file: {recordsInFile})");
    }

    private static bool IsIntact(IdDictionaryHeader header, long recordsInFile, Func<IdDictionaryHeader, ulong> batchHash) =>
        header.Count >= 0 && header.Count <= MaxCount && header.Count <= recordsInFile
        && header.PreviousCount >= 0 && header.PreviousCount <= header.Count
        && batchHash(header) == header.BatchHash;

    private static void CheckCompatible(string path, IdDictionaryHeader header, IdType type, int keyLength)
    {
        if (header.FormatVersion != IdDictionaryHeader.CurrentVersion)
        {
            throw new InvalidDataException(
                $"'{path}' has ID dictionary format version {header.FormatVersion}; this build reads version {IdDictionaryHeader.CurrentVersion}.");
        }

        if (header.Type != type)
        {
            throw new InvalidDataException($"'{path}' is an ID dictionary of ID type {header.Type}, not {type}.");
        }

        if (header.KeyLength != keyLength)
        {
            throw new InvalidDataException(
                $"'{path}' has {header.KeyLength}-byte records; {IdTypes.FileName(type)} IDs are {keyLength} bytes.");
        }
    }

    internal static InvalidDataException Damaged(string path, string what) =>
        new($"The ID dictionary '{path}' is damaged: {what}.");

    internal static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
