using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>A sorted, duplicate-free set of uint values generated for property tests.</summary>
public sealed class ValueSet(uint[] values)
{
    public uint[] Values { get; } = values;

    /// <summary>Runs written as ranges, so a failing case can be read (and pasted into a test).</summary>
    public override string ToString() => RoaringGenerators.Describe(Values);
}

public enum MutationKind
{
    Add,
    Remove,
    AddRange,
    RemoveRange,
    AddMany,
    RunOptimize,
}

/// <summary>One mutation: a value (Add/Remove), a range [Start, End) or a sorted batch (AddMany).</summary>
public sealed record Mutation(MutationKind Kind, uint Start, ulong End, uint[] Batch)
{
    public override string ToString() => Kind switch
    {
        MutationKind.Add or MutationKind.Remove => $"{Kind}({Start})",
        MutationKind.AddRange or MutationKind.RemoveRange => $"{Kind}({Start}, {End})",
        MutationKind.AddMany => $"AddMany({RoaringGenerators.Describe(Batch)})",
        _ => Kind.ToString(),
    };
}

/// <summary>A starting set and the mutations applied to it.</summary>
public sealed record MutationScript(ValueSet Initial, Mutation[] Mutations)
{
    public override string ToString() => $"start {Initial}; then {string.Join("; ", Mutations.Select(m => m.ToString()))}";
}

/// <summary>
/// Generators biased toward Roaring's container transitions: values clustered in few 65536-blocks, cardinalities
/// around 4096 (array/bitset boundary), dense ranges (bitset and run containers), full blocks, alternating values
/// (many runs), and the edge values 0, 65535, 65536 and uint.MaxValue.
/// </summary>
public static class RoaringGenerators
{
    private static readonly ushort[] FavouriteKeys = [0, 1, 2, 7, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];
    private static readonly uint[] EdgeValues = [0, 1, 65535, 65536, 65537, 131071, 0x7FFFFFFF, 0x80000000, uint.MaxValue - 1, uint.MaxValue];

    public static Gen<ushort> Key { get; } = Gen.Frequency(
        (4, Gen.Elements(FavouriteKeys)),
        (1, Gen.Choose(0, 65535).Select(k => (ushort)k)));

    /// <summary>The low 16 bits of one container, in one of the shapes that decide its type.</summary>
    public static Gen<ushort[]> BlockLows { get; } = Gen.Frequency(
        (3, Gen.Choose(1, 24).SelectMany(n => Seeded(r => RandomLows(r, n)))),
        (3, Gen.Choose(4090, 4102).SelectMany(n => Seeded(r => RandomLows(r, n)))),
        (2, Gen.Choose(25, 9000).SelectMany(n => Seeded(r => RandomLows(r, n)))),
        (3, Gen.Choose(1, 6).SelectMany(n => Seeded(r => Runs(r, n, maxLength: 20_000)))),
        (2, Gen.Choose(1, 3000).SelectMany(n => Seeded(r => Runs(r, n, maxLength: 8)))),
        (1, Gen.Constant(Range(0, 65536))),
        (1, Gen.Choose(4090, 4102).Select(n => Range(65536 - n, 65536))),
        (1, Gen.Choose(1, 2048).SelectMany(n => Gen.Choose(0, 1).Select(phase => Alternating(n, phase)))),
        (1, Gen.SubListOf<ushort>([0, 1, 2, 4095, 4096, 32767, 32768, 65534, 65535]).Select(l => l.Distinct().Order().ToArray())));

    public static Gen<ValueSet> ValueSet { get; } =
        from blockCount in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 3)), (1, Gen.Choose(4, 6)))
        from keys in Gen.ArrayOf(Key, blockCount)
        from blocks in Gen.ArrayOf(BlockLows, blockCount)
        from edges in Gen.Frequency((3, Gen.Constant(Array.Empty<uint>())), (1, Gen.SubListOf(EdgeValues).Select(l => l.ToArray())))
        select new ValueSet(Combine(keys, blocks, edges));

    public static Gen<Mutation> MutationNear(ushort[] keys) =>
        from key in keys.Length == 0 ? Key : Gen.Frequency((5, Gen.Elements(keys)), (1, Key))
        from low in Gen.Frequency((4, Gen.Choose(0, 65535)), (1, Gen.Elements(0, 1, 4095, 4096, 65534, 65535)))
        from kind in Gen.Frequency(
            (4, Gen.Constant(MutationKind.Add)), (3, Gen.Constant(MutationKind.Remove)),
            (3, Gen.Constant(MutationKind.AddRange)), (3, Gen.Constant(MutationKind.RemoveRange)),
            (2, Gen.Constant(MutationKind.AddMany)), (1, Gen.Constant(MutationKind.RunOptimize)))
        from length in Gen.Frequency(
            (3, Gen.Choose(0, 16)), (2, Gen.Choose(4000, 4200)), (2, Gen.Choose(1, 70_000)),
            (1, Gen.Elements(65536, 131072, 65535, 65537)))
        from batch in BlockLows
        select Make(kind, ((uint)key << 16) | (uint)low, length, key, batch);

    public static Gen<MutationScript> MutationScript { get; } =
        from initial in ValueSet
        from count in Gen.Choose(1, 24)
        from mutations in Gen.ArrayOf(MutationNear([.. initial.Values.Select(v => (ushort)(v >> 16)).Distinct()]), count)
        select new MutationScript(initial, mutations);

    public static string Describe(uint[] values)
    {
        var sb = new StringBuilder().Append(values.Length.ToString(CultureInfo.InvariantCulture)).Append(" values {");
        int i = 0, shown = 0;
        while (i < values.Length)
        {
            int j = i;
            while (j + 1 < values.Length && values[j + 1] == values[j] + 1)
            {
                j++;
            }

            if (shown++ == 40)
            {
                sb.Append(" ...");
                break;
            }

            sb.Append(CultureInfo.InvariantCulture, $" {values[i]}");
            if (j > i)
            {
                sb.Append(CultureInfo.InvariantCulture, $"..{values[j]}");
            }

            i = j + 1;
        }

        return sb.Append(" }").ToString();
    }

    private static Mutation Make(MutationKind kind, uint start, int length, ushort key, ushort[] batchLows)
    {
        ulong end = Math.Min((ulong)start + (ulong)length, 1UL << 32);
        uint[] batch = kind == MutationKind.AddMany ? [.. batchLows.Select(l => ((uint)key << 16) | l)] : [];
        return new Mutation(kind, start, end, batch);
    }

    private static Gen<T> Seeded<T>(Func<Random, T> make) =>
        Gen.Choose(int.MinValue, int.MaxValue).Select(seed => make(new Random(seed)));

    private static ushort[] RandomLows(Random random, int count)
    {
        var set = new HashSet<ushort>();
        while (set.Count < count)
        {
            set.Add((ushort)random.Next(65536));
        }

        return [.. set.Order()];
    }

    private static ushort[] Runs(Random random, int runs, int maxLength)
    {
        var set = new SortedSet<ushort>();
        for (int i = 0; i < runs; i++)
        {
            int start = random.Next(65536);
            int end = Math.Min(65536, start + 1 + random.Next(maxLength));
            for (int v = start; v < end; v++)
            {
                set.Add((ushort)v);
            }
        }

        return [.. set];
    }

    private static ushort[] Range(int start, int end) => [.. Enumerable.Range(start, end - start).Select(v => (ushort)v)];

    private static ushort[] Alternating(int count, int phase) => [.. Enumerable.Range(0, count).Select(i => (ushort)((2 * i) + phase))];

    private static uint[] Combine(ushort[] keys, ushort[][] blocks, uint[] edges)
    {
        var values = new List<uint>(edges);
        for (int i = 0; i < keys.Length; i++)
        {
            uint high = (uint)keys[i] << 16;
            values.AddRange(blocks[i].Select(low => high | low));
        }

        return [.. values.Distinct().Order()];
    }
}

/// <summary>FsCheck arbitraries for the property tests (with simple halving shrinkers).</summary>
public static class RoaringArbitraries
{
    public static Arbitrary<ValueSet> ValueSets() => Arb.From(RoaringGenerators.ValueSet, ShrinkSet);

    public static Arbitrary<MutationScript> MutationScripts() => Arb.From(RoaringGenerators.MutationScript, ShrinkScript);

    private static IEnumerable<ValueSet> ShrinkSet(ValueSet set)
    {
        uint[] v = set.Values;
        if (v.Length == 0)
        {
            yield break;
        }

        yield return new ValueSet(v[..(v.Length / 2)]);
        yield return new ValueSet(v[(v.Length / 2)..]);
        if (v.Length > 1)
        {
            yield return new ValueSet(v[1..]);
            yield return new ValueSet(v[..^1]);
        }
    }

    private static IEnumerable<MutationScript> ShrinkScript(MutationScript script)
    {
        Mutation[] m = script.Mutations;
        for (int i = 0; i < m.Length; i++)
        {
            yield return script with { Mutations = [.. m[..i], .. m[(i + 1)..]] };
        }

        foreach (ValueSet smaller in ShrinkSet(script.Initial))
        {
            yield return script with { Initial = smaller };
        }
    }
}
