using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps.Containers;

/// <summary>A sorted array of at most 4096 distinct 16-bit values.</summary>
internal sealed class ArrayContainer : Container
{
    public ushort[] Values;
    public int Count;

    public ArrayContainer(ushort[] values, int count)
    {
        Values = values;
        Count = count;
    }

    public ReadOnlySpan<ushort> Span => Values.AsSpan(0, Count);

    public override int Cardinality => Count;

    public override bool IsRun => false;

    public override ushort Min => Values[0];

    public override ushort Max => Values[Count - 1];

    public override int SerializedSizeInBytes => 2 * Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Contains(ushort value) => ArrayOps.IndexOf(Span, value) >= 0;

    public override Container Add(ushort value)
    {
        if (Count > 0 && Values[Count - 1] < value)
        {
            if (Count == MaxArraySize)
            {
                return ToBitset().Add(value);
            }

            EnsureCapacity(Count + 1);
            Values[Count++] = value;
            return this;
        }

        int index = ArrayOps.BinarySearch(Span, value);
        if (index >= 0)
        {
            return this;
        }

        if (Count == MaxArraySize)
        {
            return ToBitset().Add(value);
        }

        index = ~index;
        EnsureCapacity(Count + 1);
        Array.Copy(Values, index, Values, index + 1, Count - index);
        Values[index] = value;
        Count++;
        return this;
    }

    public override Container Remove(ushort value)
    {
        int index = ArrayOps.BinarySearch(Span, value);
        if (index >= 0)
        {
            Array.Copy(Values, index + 1, Values, index, Count - index - 1);
            Count--;
        }

        return this;
    }

    public override Container AddRange(int start, int end)
    {
        int lo = LowerBound(start), hi = LowerBound(end);
        int newCount = Count - (hi - lo) + (end - start);
        if (newCount > MaxArraySize)
        {
            BitsetContainer bitset = ToBitset();
            return bitset.AddRange(start, end);
        }

        var values = new ushort[newCount];
        Values.AsSpan(0, lo).CopyTo(values);
        for (int v = start, k = lo; v < end; v++, k++)
        {
            values[k] = (ushort)v;
        }

        Values.AsSpan(hi, Count - hi).CopyTo(values.AsSpan(lo + end - start));
        Values = values;
        Count = newCount;
        return this;
    }

    public override Container RemoveRange(int start, int end)
    {
        int lo = LowerBound(start), hi = LowerBound(end);
        Array.Copy(Values, hi, Values, lo, Count - hi);
        Count -= hi - lo;
        return this;
    }

    /// <summary>Index of the first value &gt;= value (value may be 65536).</summary>
    public int LowerBound(int value)
    {
        if (value > ushort.MaxValue)
        {
            return Count;
        }

        int index = ArrayOps.BinarySearch(Span, (ushort)value);
        return index >= 0 ? index : ~index;
    }

    private void EnsureCapacity(int min)
    {
        if (Values.Length < min)
        {
            int capacity = Values.Length < 64 ? Values.Length * 2 : Values.Length < 1024 ? Values.Length * 3 / 2 : Values.Length * 5 / 4;
            Array.Resize(ref Values, Math.Min(MaxArraySize, Math.Max(min, capacity)));
        }
    }

    public override Container Clone() => new ArrayContainer(Span.ToArray(), Count);

    public override int Rank(ushort value)
    {
        int index = ArrayOps.BinarySearch(Span, value);
        return index >= 0 ? index + 1 : ~index;
    }

    public override ushort Select(int index) => Values[index];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int Fill(ref ContainerCursor cursor, uint high, Span<uint> dest)
    {
        int n = Math.Min(dest.Length, Count - cursor.Position);
        ReadOnlySpan<ushort> src = Values.AsSpan(cursor.Position, n);
        for (int i = 0; i < src.Length; i++)
        {
            dest[i] = high | src[i];
        }

        cursor.Position += n;
        return n;
    }

    public override int NumberOfRuns() => ArrayOps.NumberOfRuns(Span);

    public override Container RunOptimize()
    {
        int runs = NumberOfRuns();
        return RunContainer.SizeInBytes(runs) < SerializedSizeInBytes ? RunContainer.FromArray(this, runs) : this;
    }

    public override Container ToArrayOrBitset() => this;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override BitsetContainer ToBitset()
    {
        var words = new ulong[BitsetOps.Words];
        foreach (ushort v in Span)
        {
            words[v >> 6] |= 1UL << v;
        }

        return new BitsetContainer(words, Count);
    }

    public override void WritePayload(Span<byte> dest)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(Span).CopyTo(dest);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(Span, MemoryMarshal.Cast<byte, ushort>(dest[..(2 * Count)]));
        }
    }
}
