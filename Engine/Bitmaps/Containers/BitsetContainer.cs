using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps.Containers;

/// <summary>A 65536-bit bitset holding more than 4096 values.</summary>
internal sealed class BitsetContainer : Container
{
    public readonly ulong[] Words;
    public int Count;

    public BitsetContainer(ulong[] words, int count)
    {
        Words = words;
        Count = count;
    }

    public override int Cardinality => Count;

    public override bool IsRun => false;

    public override ushort Min
    {
        get
        {
            for (int i = 0; i < Words.Length; i++)
            {
                if (Words[i] != 0)
                {
                    return (ushort)((i << 6) + BitOperations.TrailingZeroCount(Words[i]));
                }
            }

            throw new InvalidOperationException("empty container");
        }
    }

    public override ushort Max
    {
        get
        {
            for (int i = Words.Length - 1; i >= 0; i--)
            {
                if (Words[i] != 0)
                {
                    return (ushort)((i << 6) + 63 - BitOperations.LeadingZeroCount(Words[i]));
                }
            }

            throw new InvalidOperationException("empty container");
        }
    }

    public override int SerializedSizeInBytes => BitsetSizeInBytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Contains(ushort value) => (Words[value >> 6] & (1UL << value)) != 0;

    public override Container Add(ushort value)
    {
        ref ulong w = ref Words[value >> 6];
        ulong bit = 1UL << value;
        Count += (w & bit) == 0 ? 1 : 0;
        w |= bit;
        return this;
    }

    public override Container Remove(ushort value)
    {
        ref ulong w = ref Words[value >> 6];
        ulong bit = 1UL << value;
        if ((w & bit) == 0)
        {
            return this;
        }

        w &= ~bit;
        Count--;
        return Count <= MaxArraySize ? ToArray() : this;
    }

    public override Container AddRange(int start, int end)
    {
        Count += BitsetOps.SetRange(Words, start, end);
        return this;
    }

    public override Container RemoveRange(int start, int end)
    {
        Count -= BitsetOps.ClearRange(Words, start, end);
        return Count <= MaxArraySize ? ToArray() : this;
    }

    public ArrayContainer ToArray()
    {
        var values = new ushort[Count];
        BitsetOps.Extract(Words, values);
        return new ArrayContainer(values, Count);
    }

    public override Container Clone() => new BitsetContainer((ulong[])Words.Clone(), Count);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int Rank(ushort value)
    {
        int word = value >> 6;
        int count = 0;
        for (int i = 0; i < word; i++)
        {
            count += BitOperations.PopCount(Words[i]);
        }

        return count + BitOperations.PopCount(Words[word] & (ulong.MaxValue >> (63 - (value & 63))));
    }

    public override ushort Select(int index) => (ushort)BitsetOps.Select(Words, index);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int Fill(ref ContainerCursor cursor, uint high, Span<uint> dest)
    {
        int n = 0;
        ulong w = cursor.Word;
        int next = cursor.Position;
        while (n < dest.Length)
        {
            while (w == 0)
            {
                if (next == BitsetOps.Words)
                {
                    cursor.Word = 0;
                    cursor.Position = next;
                    return n;
                }

                w = Words[next++];
            }

            uint baseValue = high | (uint)((next - 1) << 6);
            while (w != 0 && n < dest.Length)
            {
                dest[n++] = baseValue + (uint)BitOperations.TrailingZeroCount(w);
                w &= w - 1;
            }
        }

        cursor.Word = w;
        cursor.Position = next;
        return n;
    }

    public override int NumberOfRuns() => BitsetOps.NumberOfRuns(Words);

    public override Container RunOptimize()
    {
        int runs = NumberOfRuns();
        return RunContainer.SizeInBytes(runs) < BitsetSizeInBytes ? RunContainer.FromBitset(this, runs) : this;
    }

    public override Container ToArrayOrBitset() => this;

    public override BitsetContainer ToBitset() => this;

    public override void WritePayload(Span<byte> dest)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(Words.AsSpan()).CopyTo(dest);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(Words, MemoryMarshal.Cast<byte, ulong>(dest[..BitsetSizeInBytes]));
        }
    }
}
