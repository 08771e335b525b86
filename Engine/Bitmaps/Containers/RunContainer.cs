using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps.Containers;

/// <summary>
/// Sorted, non-overlapping, non-adjacent runs stored as (start, length-1) ushort pairs, exactly as serialized.
/// </summary>
internal sealed class RunContainer : Container
{
    public ushort[] Runs;
    public int RunCount;
    private int _cardinality;

    public RunContainer(ushort[] runs, int runCount)
    {
        Runs = runs;
        RunCount = runCount;
        _cardinality = ComputeCardinality();
    }

    public static int SizeInBytes(int runs) => 2 + (4 * runs);

    public int Start(int i) => Runs[2 * i];

    /// <summary>Inclusive end of run i.</summary>
    public int End(int i) => Runs[2 * i] + Runs[(2 * i) + 1];

    public override int Cardinality => _cardinality;

    public override bool IsRun => true;

    public bool IsFull => RunCount == 1 && Runs[0] == 0 && Runs[1] == ushort.MaxValue;

    public override ushort Min => Runs[0];

    public override ushort Max => (ushort)End(RunCount - 1);

    public override int SerializedSizeInBytes => SizeInBytes(RunCount);

    private int ComputeCardinality()
    {
        int card = RunCount;
        for (int i = 0; i < RunCount; i++)
        {
            card += Runs[(2 * i) + 1];
        }

        return card;
    }

    /// <summary>Index of the last run whose start is &lt;= value, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FindRun(int value)
    {
        int lo = 0, hi = RunCount - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Runs[2 * mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override bool Contains(ushort value)
    {
        ushort[] runs = Runs;
        int n = RunCount;
        if (n == 0 || runs.Length < 2 * n)
        {
            return false;
        }

        // As everywhere: 512-bit code only where the runtime finds it pays (some CPUs slow their clock for it).
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            return ContainsVectorized(runs, n, value);
        }

        // Branchless binary search over the run starts for the last start <= value.
        ref ushort r = ref MemoryMarshal.GetArrayDataReference(runs);
        int lo = 0;
        while (n > 1)
        {
            int half = n >> 1;
            lo = Unsafe.Add(ref r, 2 * (lo + half)) <= value ? lo + half : lo;
            n -= half;
        }

        int start = Unsafe.Add(ref r, 2 * lo);
        return start <= value && value - start <= Unsafe.Add(ref r, (2 * lo) + 1);
    }

    /// <summary>
    /// Up to 16 runs tested at once (a masked load reads no further than the last run); more runs are first
    /// narrowed to a window of 16 that holds the last run starting at or before value. A branchless binary search
    /// waits for one load per halving, which is most of a lookup's time on containers of a few dozen runs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool ContainsVectorized(ushort[] runs, int n, ushort value)
    {
        fixed (ushort* pairs = runs)
        {
            if (n <= RunsPerVector)
            {
                return AnyRunHolds(pairs, n, value);
            }

            int lo = 0, m = n;
            while (m > RunsPerVector)
            {
                int half = m >> 1;
                lo = pairs[2 * (lo + half)] <= value ? lo + half : lo;
                m -= half;
            }

            return AnyRunHolds(pairs + (2 * Math.Min(lo, n - RunsPerVector)), RunsPerVector, value);
        }
    }

    private const int RunsPerVector = 16;

    /// <summary>Whether one of the first <paramref name="count"/> (≤ 16) runs at <paramref name="pairs"/> holds value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool AnyRunHolds(ushort* pairs, int count, ushort value)
    {
        // Each 32-bit lane is one (start, length - 1) pair; lanes past count are neither read nor counted.
        Vector512<uint> valid = Vector512.LessThan(Vector512<uint>.Indices, Vector512.Create((uint)count));
        Vector512<uint> lanes = Avx512F.MaskLoad((uint*)pairs, valid, Vector512<uint>.Zero);
        Vector512<uint> offsets = Vector512.Create((uint)value) - (lanes & Vector512.Create(0xFFFFu));
        return (Vector512.LessThanOrEqual(offsets, lanes >>> 16) & valid) != Vector512<uint>.Zero;
    }

    public override Container Add(ushort value)
    {
        int i = FindRun(value);
        if (i >= 0 && value <= End(i))
        {
            return this;
        }

        _cardinality++;
        if (i >= 0 && End(i) + 1 == value)
        {
            Runs[(2 * i) + 1]++;
            if (i + 1 < RunCount && Start(i + 1) == value + 1)
            {
                Runs[(2 * i) + 1] = (ushort)(End(i + 1) - Start(i));
                RemoveRuns(i + 1, 1);
            }

            return this;
        }

        if (i + 1 < RunCount && Start(i + 1) == value + 1)
        {
            Runs[2 * (i + 1)] = value;
            Runs[(2 * (i + 1)) + 1]++;
            return this;
        }

        InsertRun(i + 1, value, 0);
        return this;
    }

    public override Container Remove(ushort value)
    {
        int i = FindRun(value);
        if (i < 0 || value > End(i))
        {
            return this;
        }

        _cardinality--;
        int start = Start(i), end = End(i);
        if (start == end)
        {
            RemoveRuns(i, 1);
        }
        else if (value == start)
        {
            Runs[2 * i]++;
            Runs[(2 * i) + 1]--;
        }
        else if (value == end)
        {
            Runs[(2 * i) + 1]--;
        }
        else
        {
            Runs[(2 * i) + 1] = (ushort)(value - 1 - start);
            InsertRun(i + 1, (ushort)(value + 1), (ushort)(end - value - 1));
        }

        return this;
    }

    private void InsertRun(int index, ushort start, ushort lengthMinusOne)
    {
        if (Runs.Length < 2 * (RunCount + 1))
        {
            Array.Resize(ref Runs, Math.Min(65536, Math.Max(4, Runs.Length * 2)));
        }

        Array.Copy(Runs, 2 * index, Runs, 2 * (index + 1), 2 * (RunCount - index));
        Runs[2 * index] = start;
        Runs[(2 * index) + 1] = lengthMinusOne;
        RunCount++;
    }

    private void RemoveRuns(int index, int count)
    {
        Array.Copy(Runs, 2 * (index + count), Runs, 2 * index, 2 * (RunCount - index - count));
        RunCount -= count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Container AddRange(int start, int end)
    {
        var builder = new RunBuilder(Scratch.Runs);
        bool inserted = false;
        for (int i = 0; i < RunCount; i++)
        {
            if (!inserted && start <= Start(i))
            {
                builder.Append(start, end - 1);
                inserted = true;
            }

            builder.Append(Start(i), End(i));
        }

        if (!inserted)
        {
            builder.Append(start, end - 1);
        }

        return builder.ToContainer();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Container RemoveRange(int start, int end)
    {
        var builder = new RunBuilder(Scratch.Runs);
        for (int i = 0; i < RunCount; i++)
        {
            int s = Start(i), e = End(i);
            if (e < start || s >= end)
            {
                builder.Append(s, e);
                continue;
            }

            if (s < start)
            {
                builder.Append(s, start - 1);
            }

            if (e >= end)
            {
                builder.Append(end, e);
            }
        }

        return builder.ToContainer();
    }

    public override Container Clone() => new RunContainer(Runs.AsSpan(0, 2 * RunCount).ToArray(), RunCount);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int Rank(ushort value)
    {
        int rank = 0;
        for (int i = 0; i < RunCount; i++)
        {
            int s = Start(i), e = End(i);
            if (value < s)
            {
                return rank;
            }

            if (value <= e)
            {
                return rank + value - s + 1;
            }

            rank += e - s + 1;
        }

        return rank;
    }

    public override ushort Select(int index)
    {
        for (int i = 0; i < RunCount; i++)
        {
            int length = Runs[(2 * i) + 1] + 1;
            if (index < length)
            {
                return (ushort)(Start(i) + index);
            }

            index -= length;
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int Fill(ref ContainerCursor cursor, uint high, Span<uint> dest)
    {
        int n = 0;
        int run = cursor.Position;
        int offset = (int)cursor.Word;
        while (n < dest.Length && run < RunCount)
        {
            int length = Runs[(2 * run) + 1] + 1;
            int take = Math.Min(length - offset, dest.Length - n);
            uint value = high | (uint)(Runs[2 * run] + offset);
            for (int k = 0; k < take; k++)
            {
                dest[n + k] = value + (uint)k;
            }

            n += take;
            offset += take;
            if (offset == length)
            {
                run++;
                offset = 0;
            }
        }

        cursor.Position = run;
        cursor.Word = (ulong)offset;
        return n;
    }

    public override int NumberOfRuns() => RunCount;

    public override Container RunOptimize()
    {
        int asRun = SizeInBytes(RunCount);
        int asOther = Math.Min(BitsetSizeInBytes, 2 * _cardinality);
        return asRun <= asOther ? this : ToArrayOrBitset();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Container ToArrayOrBitset()
    {
        if (_cardinality > MaxArraySize)
        {
            return ToBitset();
        }

        var values = new ushort[_cardinality];
        int n = 0;
        for (int i = 0; i < RunCount; i++)
        {
            for (int v = Start(i), e = End(i); v <= e; v++)
            {
                values[n++] = (ushort)v;
            }
        }

        return new ArrayContainer(values, n);
    }

    public override BitsetContainer ToBitset()
    {
        var words = new ulong[BitsetOps.Words];
        for (int i = 0; i < RunCount; i++)
        {
            BitsetOps.SetRange(words, Start(i), End(i) + 1);
        }

        return new BitsetContainer(words, _cardinality);
    }

    public override void WritePayload(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dest, (ushort)RunCount);
        ReadOnlySpan<ushort> runs = Runs.AsSpan(0, 2 * RunCount);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(runs).CopyTo(dest[2..]);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(runs, MemoryMarshal.Cast<byte, ushort>(dest.Slice(2, 4 * RunCount)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RunContainer FromArray(ArrayContainer array, int runCount)
    {
        var runs = new ushort[2 * runCount];
        ReadOnlySpan<ushort> values = array.Span;
        int r = 0, start = values[0], previous = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            int v = values[i];
            if (v != previous + 1)
            {
                runs[r++] = (ushort)start;
                runs[r++] = (ushort)(previous - start);
                start = v;
            }

            previous = v;
        }

        runs[r++] = (ushort)start;
        runs[r] = (ushort)(previous - start);
        return new RunContainer(runs, runCount);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RunContainer FromBitset(BitsetContainer bitset, int runCount)
    {
        var runs = new ushort[2 * runCount];
        ulong[] words = bitset.Words;
        int r = 0, i = 0;
        ulong w = words[0];
        while (true)
        {
            while (w == 0)
            {
                if (++i == BitsetOps.Words)
                {
                    return new RunContainer(runs, runCount);
                }

                w = words[i];
            }

            int start = (i << 6) + BitOperations.TrailingZeroCount(w);
            ulong filled = w | (w - 1);
            while (filled == ulong.MaxValue)
            {
                if (++i == BitsetOps.Words)
                {
                    runs[r++] = (ushort)start;
                    runs[r] = (ushort)(65535 - start);
                    return new RunContainer(runs, runCount);
                }

                filled = words[i];
            }

            int end = (i << 6) + BitOperations.TrailingZeroCount(~filled);
            runs[r++] = (ushort)start;
            runs[r++] = (ushort)(end - 1 - start);
            w = filled & (filled + 1);
        }
    }
}

/// <summary>Appends intervals in ascending start order, merging overlapping or adjacent ones.</summary>
internal ref struct RunBuilder
{
    private readonly Span<ushort> _buffer;
    private int _count;
    private int _lastEnd;

    public RunBuilder(Span<ushort> buffer)
    {
        _buffer = buffer;
        _count = 0;
        _lastEnd = -2;
    }

    public readonly int Count => _count;

    /// <summary>Appends [start, end] (inclusive); start must be &gt;= the previous start.</summary>
    public void Append(int start, int end)
    {
        if (start <= _lastEnd + 1)
        {
            if (end > _lastEnd)
            {
                _lastEnd = end;
                int s = 2 * (_count - 1);
                _buffer[s + 1] = (ushort)(end - _buffer[s]);
            }

            return;
        }

        _buffer[2 * _count] = (ushort)start;
        _buffer[(2 * _count) + 1] = (ushort)(end - start);
        _count++;
        _lastEnd = end;
    }

    /// <summary>A run container holding the runs (cardinality 0 when none).</summary>
    public readonly RunContainer ToContainer() => new(_buffer[..(2 * _count)].ToArray(), _count);
}
