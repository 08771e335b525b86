using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Onboarding.Engine.Ids;

/// <summary>
/// The in-memory ID → ordinal index: open addressing with linear probing over 8-byte slots
/// (32-bit fingerprint, ordinal + 1; 0 is an empty slot), split into <see cref="ShardCount"/> shards chosen by the
/// top bits of the key's hash. A shard grows on its own (×1.5 at 75 % load), so growth never rehashes more than
/// 1/256 of the index at once: no stall, and little extra memory while growing. A fingerprint match is confirmed
/// against the full key in the <see cref="RecordStore"/>.
/// </summary>
/// <remarks>
/// The slot position is derived from the fingerprint alone (multiply-shift over the capacity), so a shard grows
/// without touching the keys. Single-threaded (but <see cref="Load"/> uses several threads inside): the owner
/// serialises every call.
/// </remarks>
internal sealed class OrdinalIndex
{
    private const int ShardBits = 8;
    private const int ShardCount = 1 << ShardBits;
    private const int MinCapacity = 16;

    /// <summary>Records indexed per pass of <see cref="Load"/> (bounds its temporary memory to 512 MiB).</summary>
    private const int LoadSegment = 1 << 26;

    private readonly RecordStore _records;
    private readonly Shard[] _shards = new Shard[ShardCount];

    public OrdinalIndex(RecordStore records, long expectedCount)
    {
        _records = records;
        long perShard = expectedCount / ShardCount;
        // Presize to 60 % load for what is there, so the first growth is 25 % of the content away.
        int capacity = (int)Math.Clamp(perShard * 5 / 3 + 1, MinCapacity, int.MaxValue / 2);
        for (int i = 0; i < ShardCount; i++)
        {
            _shards[i] = new Shard(capacity);
        }
    }

    /// <summary>Bytes held by the slot arrays.</summary>
    public long AllocatedBytes
    {
        get
        {
            long total = 0;
            foreach (Shard shard in _shards)
            {
                total += (long)shard.Slots.Length * sizeof(ulong);
            }

            return total;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ReadOnlySpan<byte> key) => XxHash3.HashToUInt64(key);

    /// <summary>Asks the CPU to fetch the slot a lookup of <paramref name="hash"/> starts at.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (Sse.IsSupported)
        {
            Shard shard = _shards[(int)(hash >> (64 - ShardBits))];
            int position = Position(Fingerprint(hash), shard.Slots.Length);
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(shard.Slots), position)));
        }
    }

    /// <summary>
    /// Asks the CPU to fetch the record of the first fingerprint match among the slots a lookup of
    /// <paramref name="hash"/> starts at (a hint: call it some time after <see cref="Prefetch"/>).
    /// </summary>
    public void PrefetchCandidate(ulong hash)
    {
        ulong[] slots = _shards[(int)(hash >> (64 - ShardBits))].Slots;
        uint fingerprint = Fingerprint(hash);
        int position = Position(fingerprint, slots.Length);
        for (int probe = 0; probe < 4; probe++)
        {
            ulong slot = slots[position];
            if (slot == 0)
            {
                return;
            }

            if ((uint)(slot >> 32) == fingerprint)
            {
                _records.Prefetch((uint)slot - 1);
                return;
            }

            if (++position == slots.Length)
            {
                position = 0;
            }
        }
    }

    public bool TryGet(ReadOnlySpan<byte> key, ulong hash, out uint ordinal)
    {
        ulong[] slots = _shards[(int)(hash >> (64 - ShardBits))].Slots;
        ulong slot = slots[Probe(slots, Fingerprint(hash), key)];
        ordinal = slot == 0 ? 0 : (uint)slot - 1;
        return slot != 0;
    }

    /// <summary>
    /// Finds <paramref name="key"/>, or records that it has <paramref name="newOrdinal"/> (the caller then stores
    /// the key as that record). Returns the key's ordinal; <paramref name="added"/> tells which happened.
    /// </summary>
    public uint GetOrAdd(ReadOnlySpan<byte> key, ulong hash, uint newOrdinal, out bool added)
    {
        ref Shard shard = ref _shards[(int)(hash >> (64 - ShardBits))];
        uint fingerprint = Fingerprint(hash);
        int position = Probe(shard.Slots, fingerprint, key);
        ulong slot = shard.Slots[position];
        added = slot == 0;
        if (!added)
        {
            return (uint)slot - 1;
        }

        Insert(ref shard, position, ((ulong)fingerprint << 32) | (newOrdinal + 1));
        return newOrdinal;
    }

    /// <summary>
    /// Indexes records 0..<paramref name="count"/> of a freshly opened file into this empty index, on every core.
    /// Inserting in record order would cost a cache miss per record; instead each worker hashes a range of records
    /// once, appending the slot values to per-shard buckets, then each shard is filled on its own (parallel over
    /// shards), its entries first partitioned by the top bits of the fingerprint so that the slots being written
    /// stay in the L1 cache. Needs a temporary ~9 bytes per record (at most <see cref="LoadSegment"/> records at a
    /// time). Returns the ordinals of two records holding the same ID (a damaged file), or null.
    /// </summary>
    public (long First, long Second)? Load(long count)
    {
        int workers = Math.Clamp(Environment.ProcessorCount, 1, 8);
        (long, long)? duplicate = null;
        for (long segment = 0; segment < count && duplicate is null; segment += LoadSegment)
        {
            int n = (int)Math.Min(LoadSegment, count - segment);
            int perWorker = (n + workers - 1) / workers;
            var buckets = new Bucket[workers, ShardCount];
            Parallel.For(0, workers, worker =>
            {
                int from = worker * perWorker;
                int end = Math.Min(n, from + perWorker);
                int expected = (int)((end - from) / (long)ShardCount * 9 / 8) + 16;
                for (int shard = 0; shard < ShardCount; shard++)
                {
                    buckets[worker, shard].Entries = GC.AllocateUninitializedArray<ulong>(expected);
                }

                for (int i = from; i < end; i++)
                {
                    ulong hash = Hash(_records.Get(segment + i));
                    buckets[worker, (int)(hash >> (64 - ShardBits))].Add(((ulong)Fingerprint(hash) << 32) | (uint)(segment + i + 1));
                }
            });

            Parallel.For(
                0,
                ShardCount,
                () => new ulong[64],
                (shard, _, scratch) =>
                {
                    int total = 0;
                    for (int worker = 0; worker < workers; worker++)
                    {
                        total += buckets[worker, shard].Count;
                    }

                    scratch = scratch.Length >= total ? scratch : new ulong[total * 5 / 4];
                    if (FillShard(ref _shards[shard], buckets, shard, scratch) is (long, long) found)
                    {
                        lock (_shards)
                        {
                            duplicate ??= found;
                        }
                    }

                    return scratch;
                },
                _ => { });
        }

        return duplicate;
    }

    /// <summary>
    /// Inserts the entries (slot values) of every worker's bucket for <paramref name="shardIndex"/> into
    /// <paramref name="shard"/>, partitioned first by the top 8 bits of their fingerprints (their position region)
    /// through <paramref name="scratch"/>. Returns the ordinals of two records with the same key, or null.
    /// </summary>
    private (long First, long Second)? FillShard(ref Shard shard, Bucket[,] buckets, int shardIndex, ulong[] scratch)
    {
        Span<int> starts = stackalloc int[257];
        starts.Clear();
        for (int worker = 0; worker < buckets.GetLength(0); worker++)
        {
            foreach (ulong entry in buckets[worker, shardIndex].Span)
            {
                starts[(int)(entry >> 56) + 1]++;
            }
        }

        for (int region = 0; region < 256; region++)
        {
            starts[region + 1] += starts[region];
        }

        int total = starts[256];
        for (int worker = 0; worker < buckets.GetLength(0); worker++)
        {
            foreach (ulong entry in buckets[worker, shardIndex].Span)
            {
                scratch[starts[(int)(entry >> 56)]++] = entry;
            }

            buckets[worker, shardIndex] = default;
        }

        if (shard.Count == 0)
        {
            // A fresh slot array's pages are not mapped yet. Writing them first costs one page fault per page;
            // probing (a read) first would map the shared zero page, and the insert's write would then take a
            // second, copy-on-write fault with a TLB shootdown across cores: most of a large open's time.
            shard.Slots.AsSpan().Clear();
        }

        foreach (ulong entry in scratch.AsSpan(0, total))
        {
            long existing = AddLoaded(ref shard, entry);
            if (existing >= 0)
            {
                return (existing, (uint)entry - 1);
            }
        }

        return null;
    }

    private long AddLoaded(ref Shard shard, ulong entry)
    {
        int position = Probe(shard.Slots, (uint)(entry >> 32), _records.Get((uint)entry - 1));
        ulong slot = shard.Slots[position];
        if (slot != 0)
        {
            return (uint)slot - 1;
        }

        Insert(ref shard, position, entry);
        return -1;
    }

    /// <summary>
    /// Linear probing from the fingerprint's position: the position of the slot holding <paramref name="key"/>,
    /// or of the empty slot where it belongs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Probe(ulong[] slots, uint fingerprint, ReadOnlySpan<byte> key)
    {
        int position = Position(fingerprint, slots.Length);
        while (true)
        {
            ulong slot = slots[position];
            if (slot == 0 || ((uint)(slot >> 32) == fingerprint && _records.Get((uint)slot - 1).SequenceEqual(key)))
            {
                return position;
            }

            if (++position == slots.Length)
            {
                position = 0;
            }
        }
    }

    private static void Insert(ref Shard shard, int position, ulong entry)
    {
        shard.Slots[position] = entry;
        if (++shard.Count > shard.GrowAt)
        {
            shard.Grow();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Fingerprint(ulong hash) => (uint)(hash >> (32 - ShardBits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Position(uint fingerprint, int capacity) => (int)(((ulong)fingerprint * (uint)capacity) >> 32);

    /// <summary>A growable array of slot values: one worker's entries for one shard while loading.</summary>
    private struct Bucket
    {
        public ulong[] Entries;
        public int Count;

        public readonly ReadOnlySpan<ulong> Span => Entries.AsSpan(0, Count);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ulong entry)
        {
            if (Count == Entries.Length)
            {
                Array.Resize(ref Entries, Entries.Length * 3 / 2);
            }

            Entries[Count++] = entry;
        }
    }

    private struct Shard
    {
        public ulong[] Slots;
        public int Count;
        public int GrowAt;

        public Shard(int capacity)
        {
            Slots = new ulong[capacity];
            GrowAt = (int)((long)capacity * 3 / 4);
        }

        public void Grow()
        {
            ulong[] old = Slots;
            long wanted = (long)old.Length * 3 / 2;
            if (wanted > Array.MaxLength)
            {
                throw new InvalidOperationException("The ID dictionary index cannot grow any further.");
            }

            ulong[] grown = new ulong[wanted];
            int capacity = grown.Length;
            foreach (ulong slot in old)
            {
                if (slot == 0)
                {
                    continue;
                }

                int position = Position((uint)(slot >> 32), capacity);
                while (grown[position] != 0)
                {
                    if (++position == capacity)
                    {
                        position = 0;
                    }
                }

                grown[position] = slot;
            }

            Slots = grown;
            GrowAt = (int)((long)capacity * 3 / 4);
        }
    }
}
