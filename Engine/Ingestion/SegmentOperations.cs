using System.Buffers;
using System.Numerics;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Ingestion;

/// <summary>
/// The adds and removes a file makes to one segment, in file order. For each member the last operation in
/// the file wins; the result is two disjoint sorted sets built straight into bitmaps.
/// </summary>
internal sealed class SegmentOperations
{
    // One entry per operation: member (high 32 bits), file order (31 bits), add flag (lowest bit).
    // Sorting the entries groups them by member with file order kept, so the last one per member wins.
    private ulong[] _entries = new ulong[16];
    private int _count;

    public int Count => _count;

    public bool HasRemoves { get; private set; }

    public void Add(uint member) => Append(member, isAdd: true);

    public void Remove(uint member)
    {
        HasRemoves = true;
        Append(member, isAdd: false);
    }

    /// <summary>Resolves the operations into the members finally added and finally removed.</summary>
    public (RoaringBitmap Adds, RoaringBitmap Removes) Resolve()
    {
        Span<ulong> entries = SortByMember(_entries.AsSpan(0, _count));
        uint[] adds = ArrayPool<uint>.Shared.Rent(_count);
        uint[] removes = ArrayPool<uint>.Shared.Rent(_count);
        int addCount = 0;
        int removeCount = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            uint member = (uint)(entries[i] >> 32);
            if (i + 1 < entries.Length && (uint)(entries[i + 1] >> 32) == member)
            {
                continue;
            }

            if ((entries[i] & 1) != 0)
            {
                adds[addCount++] = member;
            }
            else
            {
                removes[removeCount++] = member;
            }
        }

        try
        {
            return (RoaringBitmap.FromSorted(adds.AsSpan(0, addCount)), RoaringBitmap.FromSorted(removes.AsSpan(0, removeCount)));
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(adds);
            ArrayPool<uint>.Shared.Return(removes);
        }
    }

    /// <summary>
    /// Sorts entries by member, keeping file order among a member's entries: an LSD radix sort (stable, 11-bit
    /// digits) over the member bits that vary, several times faster than a comparison sort of millions of entries.
    /// Entries are appended in file order, so the result equals sorting the whole ulongs. Returns the sorted span
    /// (in the entries' array or in a scratch array of the same length).
    /// </summary>
    private Span<ulong> SortByMember(Span<ulong> entries)
    {
        const int DigitBits = 11;
        if (entries.Length < 2)
        {
            return entries;
        }

        uint min = uint.MaxValue;
        uint max = 0;
        foreach (ulong entry in entries)
        {
            uint member = (uint)(entry >> 32);
            min = Math.Min(min, member);
            max = Math.Max(max, member);
        }

        int bits = 32 - BitOperations.LeadingZeroCount(max - min);
        Span<ulong> from = entries;
        Span<ulong> to = new ulong[entries.Length];
        Span<int> offsets = new int[1 << DigitBits];
        for (int shift = 0; shift < bits; shift += DigitBits)
        {
            offsets.Clear();
            foreach (ulong entry in from)
            {
                offsets[Digit(entry, min, shift)]++;
            }

            int sum = 0;
            for (int digit = 0; digit < offsets.Length; digit++)
            {
                (offsets[digit], sum) = (sum, sum + offsets[digit]);
            }

            foreach (ulong entry in from)
            {
                to[offsets[Digit(entry, min, shift)]++] = entry;
            }

            Span<ulong> swap = from;
            from = to;
            to = swap;
        }

        return from;

        static int Digit(ulong entry, uint min, int shift) => (int)(((uint)(entry >> 32) - min) >> shift) & ((1 << DigitBits) - 1);
    }

    private void Append(uint member, bool isAdd)
    {
        if (_count == _entries.Length)
        {
            if (_count >= int.MaxValue / 2)
            {
                throw new InvalidOperationException("A file cannot hold more than a billion operations on one segment.");
            }

            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[_count] = ((ulong)member << 32) | ((ulong)(uint)_count << 1) | (isAdd ? 1UL : 0UL);
        _count++;
    }
}
