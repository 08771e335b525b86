using System.Buffers;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Onboarding.Engine.Ids;

/// <summary>
/// Reads the committed IDs of an ID dictionary file without loading them all and without the hash index: records
/// are read on demand into one pooled window of <see cref="WindowBytes"/>, so memory does not grow with the
/// dictionary. Made for ordinals in ascending order (an export): each window starts at the first ordinal asked for
/// after the previous window, so ranges without members are skipped.
/// </summary>
/// <remarks>
/// <para><b>What it reads.</b> The records of the commit that was current when the file was opened, chosen as
/// <see cref="IdDictionary.Open"/> chooses it: the newest commit whose records are intact, else the one before it.
/// A tail written but never committed, or a torn last commit, is never read. The reader never writes the file (the
/// next writer to open it drops such a tail). Unlike <see cref="IdDictionary.Open"/> it does not build the index, so
/// it does not notice an older committed record overwritten with a copy of another ID.</para>
/// <para><b>Sharing.</b> The file is opened read-only, sharing reads and writes: a writer (an ingestion in this or
/// another process) may open it and append while this reads. Records below the count this reader started with are
/// never rewritten, so what it reads does not change under it.</para>
/// <para>One thread at a time.</para>
/// </remarks>
public sealed class IdFileReader : IIdReader
{
    /// <summary>Bytes read per window (a whole number of records of any ID type is read).</summary>
    public const int WindowBytes = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly byte[] _window;
    private readonly int _windowRecords;
    private long _windowStart;
    private int _windowCount;
    private bool _disposed;

    private IdFileReader(string path, IdType type, SafeFileHandle file, long count)
    {
        Path = path;
        Type = type;
        KeyLength = IdTypes.ByteLength(type);
        Count = count;
        _file = file;
        _window = ArrayPool<byte>.Shared.Rent(WindowBytes);
        _windowRecords = WindowBytes / KeyLength;
    }

    public string Path { get; }

    public IdType Type { get; }

    public int KeyLength { get; }

    /// <summary>The number of committed IDs when the file was opened: ordinals 0..Count-1 can be read.</summary>
    public long Count { get; }

    /// <summary>Opens the dictionary file at <paramref name="path"/> for reading and finds its last intact commit.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="IdDictionary.Open"/>: not an ID dictionary, another ID
    /// type, or the committed records are missing or damaged. The message names the file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static IdFileReader Open(string path, IdType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = System.IO.Path.GetFullPath(path);
        int keyLength = IdTypes.ByteLength(type);
        SafeFileHandle file = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            (IdDictionaryHeader newest, IdDictionaryHeader? older) = IdDictionary.ReadHeaders(fullPath, file, type, keyLength);
            // The length after the headers: a writer writes a commit's records before the commit itself.
            long recordsInFile = Math.Max(0, RandomAccess.GetLength(file) - IdDictionaryHeader.DataOffset) / keyLength;
            IdDictionaryHeader committed = IdDictionary.ChooseCommit(fullPath, newest, older, recordsInFile, header => HashBatch(file, header, keyLength));
            return new IdFileReader(fullPath, type, file, committed.Count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException"><paramref name="ordinal"/> is not a committed ordinal (a member that
    /// refers to no committed ID), or the file lost committed records while being read.</exception>
    public void GetId(uint ordinal, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ordinal >= Count)
        {
            throw new InvalidDataException(
                $"The ID dictionary '{Path}' holds {Count} committed {IdTypes.FileName(Type)} IDs; ordinal {ordinal} refers to none of them.");
        }

        if (ordinal < _windowStart || ordinal >= _windowStart + _windowCount)
        {
            Fill(ordinal);
        }

        _window.AsSpan((int)(ordinal - _windowStart) * KeyLength, KeyLength).CopyTo(destination);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _file.Dispose();
        ArrayPool<byte>.Shared.Return(_window);
    }

    private void Fill(long from)
    {
        int records = (int)Math.Min(_windowRecords, Count - from);
        Span<byte> window = _window.AsSpan(0, records * KeyLength);
        if (IdDictionary.ReadFully(_file, window, IdDictionaryHeader.DataOffset + (from * KeyLength)) != window.Length)
        {
            _windowCount = 0;
            throw IdDictionary.Damaged(Path, $"the file ends before committed record {from + records - 1}");
        }

        _windowStart = from;
        _windowCount = records;
    }

    /// <summary>The batch hash of the records a commit added, read from the file (only called when they are all in it).</summary>
    private static ulong HashBatch(SafeFileHandle file, IdDictionaryHeader header, int keyLength)
    {
        var hasher = new XxHash3();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(WindowBytes);
        try
        {
            long offset = IdDictionaryHeader.DataOffset + (header.PreviousCount * keyLength);
            long end = IdDictionaryHeader.DataOffset + (header.Count * keyLength);
            while (offset < end)
            {
                Span<byte> run = buffer.AsSpan(0, (int)Math.Min(WindowBytes, end - offset));
                int read = IdDictionary.ReadFully(file, run, offset);
                hasher.Append(run[..read]);
                if (read < run.Length)
                {
                    break;
                }

                offset += read;
            }

            return hasher.GetCurrentHashAsUInt64();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
