using System.Numerics;
using System.Runtime.CompilerServices;
using System.Collections;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Onboarding.Engine.Bitmaps.Containers;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps;

/// <summary>
/// A compressed set of 32-bit unsigned integers (Roaring bitmap), byte-compatible with CRoaring, Java
/// RoaringBitmap and roaring-rs through the portable serialization format. Mutable and not thread-safe for
/// writes; concurrent reads of an unchanging bitmap are safe. Set operations return new bitmaps that share no
/// storage with their inputs.
/// </summary>
public sealed partial class RoaringBitmap : IEnumerable<uint>, IEquatable<RoaringBitmap>
{
    private ushort[] _keys;
    private Container[] _containers;
    private int _size;

    /// <summary>Creates an empty bitmap.</summary>
    public RoaringBitmap()
    {
        _keys = [];
        _containers = [];
    }

    internal RoaringBitmap(ushort[] keys, Container[] containers, int size)
    {
        // Contains reads _containers[i] for i < _size without a bounds check.
        Debug.Assert(size <= keys.Length && size <= containers.Length, "size exceeds the key or container storage");
        _keys = keys;
        _containers = containers;
        _size = size;
    }

    internal int ContainerCount => _size;

    internal ushort KeyAt(int index) => _keys[index];

    internal Container ContainerAt(int index) => _containers[index];

    /// <summary>Number of values in the set.</summary>
    public long Cardinality
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _size; i++)
            {
                total += _containers[i].Cardinality;
            }

            return total;
        }
    }

    public bool IsEmpty => _size == 0;

    /// <summary>The smallest value. Throws <see cref="InvalidOperationException"/> when the bitmap is empty.</summary>
    public uint Min => _size == 0
        ? throw new InvalidOperationException("The bitmap is empty; it has no minimum.")
        : ((uint)_keys[0] << 16) | _containers[0].Min;

    /// <summary>The largest value. Throws <see cref="InvalidOperationException"/> when the bitmap is empty.</summary>
    public uint Max => _size == 0
        ? throw new InvalidOperationException("The bitmap is empty; it has no maximum.")
        : ((uint)_keys[_size - 1] << 16) | _containers[_size - 1].Max;

    /// <summary>True when at least one container is run-length encoded (serialization then uses cookie 12347).</summary>
    public bool HasRuns
    {
        get
        {
            for (int i = 0; i < _size; i++)
            {
                if (_containers[i].IsRun)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Builds a bitmap from ascending values (duplicates allowed); throws <see cref="ArgumentException"/> when they are not sorted.</summary>
    public static RoaringBitmap FromSorted(ReadOnlySpan<uint> sortedValues)
    {
        int capacity = sortedValues.IsEmpty ? 0 : (int)((sortedValues[^1] >> 16) - (sortedValues[0] >> 16)) + 1;
        capacity = Math.Max(Math.Min(capacity, sortedValues.Length), ArrayOps.PaddedLength);
        var keys = new ushort[capacity];
        var containers = new Container[capacity];
        int size = 0;
        int i = 0;
        while (i < sortedValues.Length)
        {
            uint high = sortedValues[i] >> 16;
            int end = i + 1;
            uint previous = sortedValues[i];
            while (end < sortedValues.Length && sortedValues[end] >> 16 == high)
            {
                if (sortedValues[end] < previous)
                {
                    throw new ArgumentException($"Values are not sorted at index {end}.", nameof(sortedValues));
                }

                previous = sortedValues[end];
                end++;
            }

            if (end < sortedValues.Length && sortedValues[end] < previous)
            {
                throw new ArgumentException($"Values are not sorted at index {end}.", nameof(sortedValues));
            }

            keys[size] = (ushort)high;
            containers[size++] = BuildContainer(sortedValues[i..end]);
            i = end;
        }

        return new RoaringBitmap(keys, containers, size);
    }

    /// <summary>A container from ascending values sharing one high half (duplicates allowed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Container BuildContainer(ReadOnlySpan<uint> values)
    {
        if (values.Length <= Container.MaxArraySize)
        {
            var lows = new ushort[Math.Max(values.Length, ArrayOps.PaddedLength)];
            int n = 0;
            int previous = -1;
            foreach (uint v in values)
            {
                ushort low = (ushort)v;
                lows[n] = low;
                n += low != previous ? 1 : 0;
                previous = low;
            }

            return new ArrayContainer(lows, n);
        }

        var words = new ulong[BitsetOps.Words];
        foreach (uint v in values)
        {
            words[(v >> 6) & 1023] |= 1UL << (int)v;
        }

        return Container.FromWords(words, BitsetOps.Count(words));
    }

    /// <summary>Adds ascending values (duplicates allowed); throws <see cref="ArgumentException"/> when they are not sorted.</summary>
    public void AddMany(ReadOnlySpan<uint> sortedValues)
    {
        RoaringBitmap other = FromSorted(sortedValues);
        if (_size == 0)
        {
            TakeFrom(other);
            return;
        }

        OrWithOwned(other);
    }

    /// <summary>Adds a value; returns true when it was not present.</summary>
    public bool Add(uint value)
    {
        ushort key = (ushort)(value >> 16);
        int i = FindKey(key);
        if (i >= 0)
        {
            Container c = _containers[i];
            int before = c.Cardinality;
            c = c.Add((ushort)value);
            _containers[i] = c;
            return c.Cardinality != before;
        }

        Insert(~i, key, new ArrayContainer([(ushort)value, 0, 0, 0], 1));
        return true;
    }

    /// <summary>Removes a value; returns true when it was present.</summary>
    public bool Remove(uint value)
    {
        int i = FindKey((ushort)(value >> 16));
        if (i < 0)
        {
            return false;
        }

        Container c = _containers[i];
        int before = c.Cardinality;
        c = c.Remove((ushort)value);
        if (c.Cardinality == 0)
        {
            RemoveAt(i);
            return true;
        }

        _containers[i] = c;
        return c.Cardinality != before;
    }

    public bool Contains(uint value)
    {
        // Sparse bitmaps mostly have at most 8 keys, and most queries miss the key: that path is kept short enough
        // to be inlined into the caller's loop; everything else is out of line. With its branches predicted
        // (repeated queries), a lookup costs its instructions, so each one here counts.
        ushort[] keys = _keys;
        int size = _size;
        if (ArrayOps.IsSmall(keys, size))
        {
            uint match = ArrayOps.SmallMatches(keys, size, (ushort)(value >> 16));
            return match != 0 && ContainerContains(BitOperations.TrailingZeroCount(match), (ushort)value);
        }

        return ContainsAmongManyKeys(value);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool ContainsAmongManyKeys(uint value)
    {
        int i = ArrayOps.IndexOf(_keys.AsSpan(0, _size), (ushort)(value >> 16));
        return i >= 0 && ContainerContains(i, (ushort)value);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool ContainerContains(int i, ushort low)
    {
        // i < _size <= _containers.Length, so no bounds check; exact type tests of the sealed types need no null test.
        Container c = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_containers), i);
        if (c.GetType() == typeof(ArrayContainer))
        {
            var array = Unsafe.As<ArrayContainer>(c);
            ushort[] values = array.Values;
            int count = array.Count;
            return ArrayOps.IsSmall(values, count)
                ? ArrayOps.SmallMatches(values, count, low) != 0
                : ArrayOps.IndexOf(values.AsSpan(0, count), low) >= 0;
        }

        if (c.GetType() == typeof(BitsetContainer))
        {
            return (Unsafe.As<BitsetContainer>(c).Words[low >> 6] & (1UL << low)) != 0;
        }

        return Unsafe.As<RunContainer>(c).Contains(low);
    }

    /// <summary>Adds every value in [start, endExclusive); endExclusive may be 2^32 to include <see cref="uint.MaxValue"/>.</summary>
    public void AddRange(uint start, ulong endExclusive)
    {
        if (!CheckRange(start, endExclusive))
        {
            return;
        }

        uint last = (uint)(endExclusive - 1);
        int firstKey = (int)(start >> 16), lastKey = (int)(last >> 16);
        int i0 = LowerBoundKey(firstKey), i1 = LowerBoundKey(lastKey + 1);
        int segment = lastKey - firstKey + 1;
        int newSize = _size - (i1 - i0) + segment;
        var keys = new ushort[newSize];
        var containers = new Container[newSize];
        Array.Copy(_keys, keys, i0);
        Array.Copy(_containers, containers, i0);
        int k = i0, existing = i0;
        for (int key = firstKey; key <= lastKey; key++, k++)
        {
            int lo = key == firstKey ? (int)(start & 0xFFFF) : 0;
            int hi = key == lastKey ? (int)(last & 0xFFFF) + 1 : 65536;
            keys[k] = (ushort)key;
            if (existing < i1 && _keys[existing] == key)
            {
                Container c = _containers[existing++];
                containers[k] = lo == 0 && hi == 65536 ? Container.Range(0, 65536) : c.AddRange(lo, hi);
            }
            else
            {
                containers[k] = Container.Range(lo, hi);
            }
        }

        Array.Copy(_keys, i1, keys, k, _size - i1);
        Array.Copy(_containers, i1, containers, k, _size - i1);
        _keys = keys;
        _containers = containers;
        _size = newSize;
    }

    /// <summary>Removes every value in [start, endExclusive); endExclusive may be 2^32.</summary>
    public void RemoveRange(uint start, ulong endExclusive)
    {
        if (!CheckRange(start, endExclusive))
        {
            return;
        }

        uint last = (uint)(endExclusive - 1);
        int firstKey = (int)(start >> 16), lastKey = (int)(last >> 16);
        int i0 = LowerBoundKey(firstKey), i1 = LowerBoundKey(lastKey + 1);
        int w = i0;
        for (int r = i0; r < i1; r++)
        {
            int key = _keys[r];
            int lo = key == firstKey ? (int)(start & 0xFFFF) : 0;
            int hi = key == lastKey ? (int)(last & 0xFFFF) + 1 : 65536;
            if (lo == 0 && hi == 65536)
            {
                continue;
            }

            Container c = _containers[r].RemoveRange(lo, hi);
            if (c.Cardinality > 0)
            {
                _keys[w] = (ushort)key;
                _containers[w++] = c;
            }
        }

        Array.Copy(_keys, i1, _keys, w, _size - i1);
        Array.Copy(_containers, i1, _containers, w, _size - i1);
        int newSize = w + _size - i1;
        Array.Clear(_containers, newSize, _size - newSize);
        _size = newSize;
    }

    private static bool CheckRange(uint start, ulong endExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(endExclusive, 1UL << 32);
        return endExclusive > start;
    }

    /// <summary>Number of values &lt;= <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Rank(uint value)
    {
        ushort key = (ushort)(value >> 16);
        long rank = 0;
        for (int i = 0; i < _size; i++)
        {
            if (_keys[i] < key)
            {
                rank += _containers[i].Cardinality;
            }
            else
            {
                if (_keys[i] == key)
                {
                    rank += _containers[i].Rank((ushort)value);
                }

                break;
            }
        }

        return rank;
    }

    /// <summary>The <paramref name="index"/>-th smallest value (0-based); throws <see cref="ArgumentOutOfRangeException"/> when index &gt;= Cardinality.</summary>
    public uint Select(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        for (int i = 0; i < _size; i++)
        {
            int card = _containers[i].Cardinality;
            if (index < card)
            {
                return ((uint)_keys[i] << 16) | _containers[i].Select((int)index);
            }

            index -= card;
        }

        throw new ArgumentOutOfRangeException(nameof(index), "Index is not less than the cardinality.");
    }

    /// <summary>Converts containers to run containers exactly where CRoaring does; returns true when any run container remains.</summary>
    public bool RunOptimize()
    {
        bool any = false;
        for (int i = 0; i < _size; i++)
        {
            Container c = _containers[i].RunOptimize();
            _containers[i] = c;
            any |= c.IsRun;
        }

        return any;
    }

    /// <summary>Converts every run container to an array or bitset; returns true when anything changed.</summary>
    public bool RemoveRunCompression()
    {
        bool changed = false;
        for (int i = 0; i < _size; i++)
        {
            if (_containers[i].IsRun)
            {
                _containers[i] = _containers[i].ToArrayOrBitset();
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>A deep copy.</summary>
    public RoaringBitmap Clone()
    {
        var containers = new Container[_size];
        for (int i = 0; i < _size; i++)
        {
            containers[i] = _containers[i].Clone();
        }

        return new RoaringBitmap(_keys.AsSpan(0, _size).ToArray(), containers, _size);
    }

    /// <summary>Removes every value.</summary>
    public void Clear()
    {
        _keys = [];
        _containers = [];
        _size = 0;
    }

    /// <summary>Copies the values in ascending order; returns how many were written (destination must hold Cardinality).</summary>
    public int CopyTo(Span<uint> destination)
    {
        long card = Cardinality;
        if (destination.Length < card)
        {
            throw new ArgumentException("Destination is smaller than the cardinality.", nameof(destination));
        }

        return GetBatchIterator().Fill(destination[..(int)card]);
    }

    public uint[] ToArray()
    {
        long card = Cardinality;
        if (card > Array.MaxLength)
        {
            throw new InvalidOperationException("The bitmap holds too many values for an array.");
        }

        var result = new uint[card];
        CopyTo(result);
        return result;
    }

    public bool Equals(RoaringBitmap? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_size != other._size || !_keys.AsSpan(0, _size).SequenceEqual(other._keys.AsSpan(0, _size)))
        {
            return false;
        }

        for (int i = 0; i < _size; i++)
        {
            if (!ContainerOps.ValueEquals(_containers[i], other._containers[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as RoaringBitmap);

    /// <summary>Value hash, independent of container representation.</summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        for (int i = 0; i < _size; i++)
        {
            Container c = _containers[i];
            hash.Add(_keys[i]);
            hash.Add(c.Cardinality);
            hash.Add(c.Min);
            hash.Add(c.Max);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => $"RoaringBitmap {{ Cardinality = {Cardinality}, Containers = {_size} }}";

    IEnumerator<uint> IEnumerable<uint>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Index of the key, or the bitwise complement of its insertion point.</summary>
    private int FindKey(ushort key)
    {
        if (_size > 0 && _keys[_size - 1] == key)
        {
            return _size - 1;
        }

        return ArrayOps.BinarySearch(_keys.AsSpan(0, _size), key);
    }

    /// <summary>Index of the first key &gt;= key (key may be 65536).</summary>
    private int LowerBoundKey(int key)
    {
        if (key > ushort.MaxValue)
        {
            return _size;
        }

        int i = ArrayOps.BinarySearch(_keys.AsSpan(0, _size), (ushort)key);
        return i >= 0 ? i : ~i;
    }

    private void Insert(int index, ushort key, Container container)
    {
        if (_size == _keys.Length)
        {
            int capacity = Math.Max(4, _size * 2);
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _containers, capacity);
        }

        Array.Copy(_keys, index, _keys, index + 1, _size - index);
        Array.Copy(_containers, index, _containers, index + 1, _size - index);
        _keys[index] = key;
        _containers[index] = container;
        _size++;
    }

    private void RemoveAt(int index)
    {
        Array.Copy(_keys, index + 1, _keys, index, _size - index - 1);
        Array.Copy(_containers, index + 1, _containers, index, _size - index - 1);
        _size--;
        _containers[_size] = null!;
    }

    private void TakeFrom(RoaringBitmap other)
    {
        _keys = other._keys;
        _containers = other._containers;
        _size = other._size;
    }
}
