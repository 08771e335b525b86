using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Onboarding.Engine.Ids;

/// <summary>
/// The dictionary's records (fixed-length keys) in memory, ordinal = record index. Records live in chunks of
/// <see cref="RecordsPerChunk"/> records so that growth never copies the whole set; the first chunk starts small
/// and doubles up to full size so that small dictionaries stay small.
/// </summary>
/// <remarks>
/// One writer. A reader on another thread may call <see cref="Get"/> for any ordinal below a record count it
/// observed through a volatile read after the writer published it: chunk arrays are published before the count,
/// and a replaced (grown) first chunk keeps every record it held.
/// </remarks>
internal sealed class RecordStore
{
    internal const int ChunkShift = 16;
    internal const int RecordsPerChunk = 1 << ChunkShift;
    private const int ChunkMask = RecordsPerChunk - 1;
    private const int FirstChunkRecords = 64;

    private readonly int _keyLength;
    private byte[][] _chunks;

    public RecordStore(int keyLength, long expectedRecords)
    {
        _keyLength = keyLength;
        long chunkCount = Math.Max(1, (expectedRecords + RecordsPerChunk - 1) >> ChunkShift);
        _chunks = new byte[chunkCount][];
    }

    public int KeyLength => _keyLength;

    /// <summary>Bytes held by the record chunks.</summary>
    public long AllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (byte[]? chunk in Volatile.Read(ref _chunks))
            {
                total += chunk?.Length ?? 0;
            }

            return total;
        }
    }

    /// <summary>The record of <paramref name="ordinal"/>; the caller guarantees it exists.</summary>
    public ReadOnlySpan<byte> Get(long ordinal)
    {
        byte[] chunk = Volatile.Read(ref _chunks)[ordinal >> ChunkShift];
        return new ReadOnlySpan<byte>(chunk, (int)(ordinal & ChunkMask) * _keyLength, _keyLength);
    }

    /// <summary>Asks the CPU to fetch record <paramref name="ordinal"/>, which exists.</summary>
    public unsafe void Prefetch(long ordinal)
    {
        if (Sse.IsSupported)
        {
            byte[] chunk = _chunks[ordinal >> ChunkShift];
            Sse.Prefetch0(Unsafe.AsPointer(ref chunk[(int)(ordinal & ChunkMask) * _keyLength]));
        }
    }

    /// <summary>A writable place for record <paramref name="ordinal"/> (the next one, or one being loaded).</summary>
    public Span<byte> Prepare(long ordinal)
    {
        int chunkIndex = (int)(ordinal >> ChunkShift);
        int offset = (int)(ordinal & ChunkMask) * _keyLength;
        byte[][] chunks = _chunks;
        if (chunkIndex >= chunks.Length)
        {
            byte[][] grown = new byte[Math.Max(chunkIndex + 1, chunks.Length * 2)][];
            Array.Copy(chunks, grown, chunks.Length);
            Volatile.Write(ref _chunks, grown);
            chunks = grown;
        }

        byte[]? chunk = chunks[chunkIndex];
        if (chunk is null || chunk.Length < offset + _keyLength)
        {
            chunk = Grow(chunks, chunkIndex, chunk, offset + _keyLength);
        }

        return new Span<byte>(chunk, offset, _keyLength);
    }

    /// <summary>
    /// The longest contiguous run of record bytes starting at record <paramref name="from"/> and ending at or
    /// before record <paramref name="to"/> (exclusive); loop until the whole range is covered.
    /// </summary>
    public ReadOnlySpan<byte> Run(long from, long to)
    {
        long chunkEnd = ((from >> ChunkShift) + 1) << ChunkShift;
        long end = Math.Min(to, chunkEnd);
        byte[] chunk = _chunks[from >> ChunkShift];
        return new ReadOnlySpan<byte>(chunk, (int)(from & ChunkMask) * _keyLength, (int)(end - from) * _keyLength);
    }

    /// <summary>Allocates room for records 0..<paramref name="count"/>, so that loading can fill them in parallel.</summary>
    public void Reserve(long count)
    {
        if (count > 0)
        {
            _ = Prepare(count - 1);
            for (long chunk = 0; chunk < ((count - 1) >> ChunkShift); chunk++)
            {
                _ = Prepare((chunk << ChunkShift) + ChunkMask);
            }
        }
    }

    /// <summary>A writable run of whole records for loading records <paramref name="from"/>..<paramref name="to"/>.</summary>
    public Span<byte> PrepareRun(long from, long to)
    {
        long chunkEnd = ((from >> ChunkShift) + 1) << ChunkShift;
        long end = Math.Min(to, chunkEnd);
        _ = Prepare(end - 1);
        byte[] chunk = _chunks[from >> ChunkShift];
        return new Span<byte>(chunk, (int)(from & ChunkMask) * _keyLength, (int)(end - from) * _keyLength);
    }

    private byte[] Grow(byte[][] chunks, int chunkIndex, byte[]? chunk, int needed)
    {
        int full = RecordsPerChunk * _keyLength;
        int size = chunkIndex == 0 ? Math.Max(FirstChunkRecords * _keyLength, chunk?.Length ?? 0) : full;
        while (size < needed)
        {
            size = Math.Min(full, size * 2);
        }

        byte[] grown = GC.AllocateUninitializedArray<byte>(size);
        if (chunk is not null)
        {
            chunk.CopyTo(grown, 0);
        }

        Volatile.Write(ref chunks[chunkIndex], grown);
        return grown;
    }
}
