using System.Diagnostics;
using System.Globalization;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Bitmaps.Containers;

namespace Onboarding.Bench;

/// <summary>
/// Where a successive pair operation spends its time: the container pairs with equal keys, grouped by container
/// kinds (array/bitset/run), each group timed in one batch (no per-call timer overhead), against the whole
/// bitmap-level operation. The remainder is the bitmap-level merge: key walk, copies of unmatched containers,
/// result allocation.
/// </summary>
internal static class RoaringBreakdown
{
    private static long _sink;

    public static void Print(string dataset, RoaringBitmap[] bitmaps, int repetitions)
    {
        (string Name, Func<Container, Container, Container?> Op, Func<RoaringBitmap, RoaringBitmap, RoaringBitmap> Whole)[] ops =
        [
            ("AND", ContainerOps.And, static (a, b) => a & b),
            ("OR", ContainerOps.Or, static (a, b) => a | b),
            ("XOR", ContainerOps.Xor, static (a, b) => a ^ b),
            ("AndNot", ContainerOps.AndNot, static (a, b) => a - b),
        ];

        var groups = new SortedDictionary<string, List<(Container A, Container B)>>(StringComparer.Ordinal);
        int unmatched = 0;
        for (int i = 0; i + 1 < bitmaps.Length; i++)
        {
            RoaringBitmap x = bitmaps[i], y = bitmaps[i + 1];
            int p = 0, q = 0;
            while (p < x.ContainerCount && q < y.ContainerCount)
            {
                ushort kx = x.KeyAt(p), ky = y.KeyAt(q);
                if (kx == ky)
                {
                    Container a = x.ContainerAt(p++), b = y.ContainerAt(q++);
                    string kind = Kind(a) + "×" + Kind(b);
                    if (!groups.TryGetValue(kind, out var list))
                    {
                        groups[kind] = list = [];
                    }

                    list.Add((a, b));
                }
                else if (kx < ky)
                {
                    p++;
                    unmatched++;
                }
                else
                {
                    q++;
                    unmatched++;
                }
            }

            unmatched += x.ContainerCount - p + y.ContainerCount - q;
        }

        Console.WriteLine();
        Console.WriteLine($"### {dataset}: time by container kinds (successive pairs; {unmatched} containers without a partner)");
        Console.WriteLine();
        Console.WriteLine("| op | container pair | pairs | avg card A+B | ns/pair | µs total | share of op |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (name, op, whole) in ops)
        {
            double wholeNs = Best(repetitions, () =>
            {
                long n = 0;
                for (int i = 0; i + 1 < bitmaps.Length; i++)
                {
                    n += whole(bitmaps[i], bitmaps[i + 1]).Cardinality;
                }

                return n;
            });

            double matchedNs = 0;
            foreach ((string kind, List<(Container A, Container B)> pairs) in groups)
            {
                double ns = Best(repetitions, () =>
                {
                    long n = 0;
                    foreach ((Container a, Container b) in pairs)
                    {
                        n += op(a, b)?.Cardinality ?? 0;
                    }

                    return n;
                });
                matchedNs += ns;
                double card = pairs.Average(p => (double)p.A.Cardinality + p.B.Cardinality);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {kind} | {pairs.Count} | {card:F0} | {ns / pairs.Count:F0} | {ns / 1000:F1} | {ns / wholeNs:P0} |"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | whole bitmap op (rest: merge, copies, allocation) | 199 | | {wholeNs / 199:F0} | {wholeNs / 1000:F1} | rest {(wholeNs - matchedNs) / wholeNs:P0} |"));
        }

        PrintWideOr(bitmaps);
        Console.WriteLine($"(sink {_sink})");
    }

    /// <summary>
    /// Wide OR per key: how many containers meet there, and after how many of them (in bitmap order) the union is
    /// already full (all 65536 values), after which further ORs cannot change it.
    /// </summary>
    private static void PrintWideOr(RoaringBitmap[] bitmaps)
    {
        var groups = new SortedDictionary<ushort, List<Container>>();
        foreach (RoaringBitmap b in bitmaps)
        {
            for (int i = 0; i < b.ContainerCount; i++)
            {
                if (!groups.TryGetValue(b.KeyAt(i), out var list))
                {
                    groups[b.KeyAt(i)] = list = [];
                }

                list.Add(b.ContainerAt(i));
            }
        }

        int full = 0;
        long containers = 0, afterFull = 0, runs = 0, bitsets = 0;
        var words = new ulong[1024];
        foreach (List<Container> group in groups.Values)
        {
            Array.Clear(words);
            containers += group.Count;
            for (int k = 0; k < group.Count; k++)
            {
                runs += group[k].IsRun ? 1 : 0;
                bitsets += group[k] is BitsetContainer ? 1 : 0;
                ContainerOps.LazyOrInto(words, group[k]);
                if (Array.TrueForAll(words, w => w == ulong.MaxValue))
                {
                    full++;
                    afterFull += group.Count - k - 1;
                    break;
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wide OR: {groups.Count} keys, {containers} containers ({runs} run, {bitsets} bitset); the union is full on {full} keys, " +
            $"and {afterFull} containers ({(double)afterFull / containers:P0}) come after their key's union is already full."));
    }

    private static string Kind(Container c) => c switch
    {
        ArrayContainer => "array",
        BitsetContainer => "bitset",
        _ => "run",
    };

    private static double Best(int repetitions, Func<long> body)
    {
        for (int w = 0; w < 3; w++)
        {
            _sink += body();
        }

        double best = double.MaxValue;
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            _sink += body();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }

        return best;
    }
}
