namespace Onboarding.Engine.Bitmaps.Containers;

/// <summary>Iteration state inside one container (meaning depends on the container type).</summary>
internal struct ContainerCursor
{
    public int Position;
    public ulong Word;
}

/// <summary>
/// The values of one 16-bit key. Containers are owned by exactly one bitmap; mutating methods return the container
/// that now holds the values (this one or a replacement of another type). A container is never empty while it sits
/// in a bitmap; operations that may empty one return <c>null</c> or a container of cardinality 0 which callers drop.
/// </summary>
internal abstract class Container
{
    /// <summary>Containers with at most this many values are arrays; above it, bitsets.</summary>
    public const int MaxArraySize = 4096;

    public const int BitsetSizeInBytes = 8192;

    public abstract int Cardinality { get; }

    public abstract bool IsRun { get; }

    public abstract ushort Min { get; }

    public abstract ushort Max { get; }

    public abstract bool Contains(ushort value);

    public abstract Container Add(ushort value);

    public abstract Container Remove(ushort value);

    /// <summary>Adds [start, end) with 0 &lt;= start &lt; end &lt;= 65536.</summary>
    public abstract Container AddRange(int start, int end);

    /// <summary>Removes [start, end) with 0 &lt;= start &lt; end &lt;= 65536.</summary>
    public abstract Container RemoveRange(int start, int end);

    public abstract Container Clone();

    /// <summary>Number of values &lt;= value.</summary>
    public abstract int Rank(ushort value);

    /// <summary>The index-th smallest value (0-based, index &lt; Cardinality).</summary>
    public abstract ushort Select(int index);

    /// <summary>Writes values (high | low) from the cursor on; returns how many were written (fewer than dest.Length only when exhausted).</summary>
    public abstract int Fill(ref ContainerCursor cursor, uint high, Span<uint> dest);

    public abstract int NumberOfRuns();

    /// <summary>The smallest representation per CRoaring's run_optimize rules.</summary>
    public abstract Container RunOptimize();

    /// <summary>The array or bitset form of these values (this when it is not a run container).</summary>
    public abstract Container ToArrayOrBitset();

    public abstract BitsetContainer ToBitset();

    /// <summary>Bytes of the portable-format payload.</summary>
    public abstract int SerializedSizeInBytes { get; }

    public abstract void WritePayload(Span<byte> dest);

    /// <summary>The array or bitset container that a set of <paramref name="words"/> with <paramref name="cardinality"/> bits should be.</summary>
    public static Container FromWords(ulong[] words, int cardinality)
    {
        if (cardinality > MaxArraySize)
        {
            return new BitsetContainer(words, cardinality);
        }

        var values = new ushort[cardinality];
        Internal.BitsetOps.Extract(words, values);
        return new ArrayContainer(values, cardinality);
    }

    /// <summary>The representation of [start, end) chosen like CRoaring's range_of_ones (a single run unless tiny).</summary>
    public static Container Range(int start, int end)
    {
        int length = end - start;
        if (length <= 2)
        {
            var values = new ushort[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = (ushort)(start + i);
            }

            return new ArrayContainer(values, length);
        }

        return new RunContainer([(ushort)start, (ushort)(length - 1)], 1);
    }
}
