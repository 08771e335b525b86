using System.Diagnostics;
using System.Globalization;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Bitmaps.Containers;
using Onboarding.Engine.Bitmaps.Internal;

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
                    if (a is ArrayContainer && b is ArrayContainer)
                    {
                        kind += a.Cardinality + b.Cardinality <= 4096 ? " (Σ ≤ 4096)" : " (Σ > 4096)";
                    }

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

        if (groups.TryGetValue("array×array (Σ ≤ 4096)", out var arrayPairs))
        {
            PrintArrayKernels(arrayPairs, repetitions);
        }

        PrintWideOr(bitmaps, repetitions);
        PrintContains(bitmaps, repetitions);
        Console.WriteLine($"(sink {_sink})");
    }

    /// <summary>
    /// Contains split in its two steps, each timed alone over the benchmark's queries: finding the key (binary
    /// search over the bitmap's keys) and searching the container (virtual call, and the same search without it).
    /// The four timing loops are written out on purpose: a delegate per query would cost as much as what is timed.
    /// </summary>
    private static void PrintContains(RoaringBitmap[] bitmaps, int repetitions)
    {
        var queries = new List<(RoaringBitmap Bitmap, ushort[] Keys, uint Value)>();
        foreach (RoaringBitmap b in bitmaps)
        {
            ushort[] keys = [.. Enumerable.Range(0, b.ContainerCount).Select(b.KeyAt)];
            ulong min = b.Min, span = b.Max - b.Min;
            for (int k = 1; k <= 3; k++)
            {
                queries.Add((b, keys, (uint)(min + (span * (ulong)k / 4))));
            }
        }

        var hits = queries.Select(q => (Index: Array.BinarySearch(q.Keys, (ushort)(q.Value >> 16)), q)).Where(h => h.Index >= 0)
            .Select(h => (Container: h.q.Bitmap.ContainerAt(h.Index), Low: (ushort)h.q.Value)).ToArray();
        const int rounds = 200;
        double whole = Best(repetitions, () =>
        {
            long n = 0;
            for (int r = 0; r < rounds; r++)
            {
                foreach (var q in queries)
                {
                    n += q.Bitmap.Contains(q.Value) ? 1 : 0;
                }
            }

            return n;
        }) / (rounds * queries.Count);
        double key = Best(repetitions, () =>
        {
            long n = 0;
            for (int r = 0; r < rounds; r++)
            {
                foreach (var q in queries)
                {
                    n += q.Keys.AsSpan().BinarySearch((ushort)(q.Value >> 16));
                }
            }

            return n;
        }) / (rounds * queries.Count);
        double container = Best(repetitions, () =>
        {
            long n = 0;
            for (int r = 0; r < rounds; r++)
            {
                foreach (var h in hits)
                {
                    n += h.Container.Contains(h.Low) ? 1 : 0;
                }
            }

            return n;
        }) / (rounds * Math.Max(1, hits.Length));
        double direct = Best(repetitions, () =>
        {
            long n = 0;
            for (int r = 0; r < rounds; r++)
            {
                foreach (var h in hits)
                {
                    bool found = h.Container switch
                    {
                        ArrayContainer a => a.Span.BinarySearch(h.Low) >= 0,
                        BitsetContainer b => (b.Words[h.Low >> 6] & (1UL << h.Low)) != 0,
                        _ => h.Container.Contains(h.Low),
                    };
                    n += found ? 1 : 0;
                }
            }

            return n;
        }) / (rounds * Math.Max(1, hits.Length));
        double containers = bitmaps.Average(b => (double)b.ContainerCount);
        string reached = string.Join(", ", hits.GroupBy(h => h.Container switch
            {
                ArrayContainer a => a.Count <= 8 ? "array ≤ 8" : "array > 8",
                RunContainer r => r.RunCount <= 8 ? "run ≤ 8 runs" : r.RunCount <= 16 ? "run 9–16 runs" : "run > 16 runs",
                _ => "bitset",
            })
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        int tiny = bitmaps.Count(b => b.ContainerCount <= 8);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Contains: {whole:F2} ns/query; key search alone (Array.BinarySearch over {containers:F0} keys on average) {key:F2} ns; " +
            $"container search alone {container:F2} ns ({hits.Length} of {queries.Count} queries reach a container; " +
            $"type switch + MemoryExtensions.BinarySearch instead of the virtual call: {direct:F2} ns). " +
            $"Containers reached: {reached}; bitmaps with ≤ 8 keys: {tiny} of {bitmaps.Length}."));
    }

    /// <summary>The array merge kernels alone (into a scratch buffer, no allocation), against a plain branchy union.</summary>
    private static void PrintArrayKernels(List<(Container A, Container B)> pairs, int repetitions)
    {
        (ushort[] A, ushort[] B)[] spans = [.. pairs.Select(p => (((ArrayContainer)p.A).Span.ToArray(), ((ArrayContainer)p.B).Span.ToArray()))];
        long values = spans.Sum(p => (long)p.A.Length + p.B.Length);
        var dst = new ushort[8192];
        double Kernel(Func<ushort[], ushort[], ushort[], int> kernel) => Best(repetitions, () =>
        {
            long n = 0;
            foreach ((ushort[] a, ushort[] b) in spans)
            {
                n += kernel(a, b, dst);
            }

            return n;
        }) / values;

        double union = Kernel((a, b, d) => ArrayOps.Union(a, b, d));
        double branchy = Kernel(BranchyUnion);
        double xor = Kernel((a, b, d) => ArrayOps.Xor(a, b, d));
        double difference = Kernel((a, b, d) => ArrayOps.Difference(a, b, d));
        double intersect = Kernel((a, b, d) => ArrayOps.Intersect(a, b, d));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Array kernels on the {spans.Length} array×array pairs (ns per input value): ArrayOps.Union {union:F2}, a branchy merge union {branchy:F2}, " +
            $"ArrayOps.Xor {xor:F2}, ArrayOps.Difference {difference:F2}, ArrayOps.Intersect {intersect:F2}."));
    }

    /// <summary>The comparison baseline: the branchy loop of <c>ArrayOps.Xor</c>, keeping equal values.</summary>
    private static int BranchyUnion(ushort[] a, ushort[] b, ushort[] dst)
    {
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            ushort va = a[i], vb = b[j];
            if (va < vb)
            {
                dst[n++] = va;
                i++;
            }
            else if (vb < va)
            {
                dst[n++] = vb;
                j++;
            }
            else
            {
                dst[n++] = va;
                i++;
                j++;
            }
        }

        a.AsSpan(i).CopyTo(dst.AsSpan(n));
        n += a.Length - i;
        b.AsSpan(j).CopyTo(dst.AsSpan(n));
        return n + b.Length - j;
    }

    /// <summary>
    /// Wide OR per key: how many containers meet there, and after how many of them (in bitmap order) the union is
    /// already full (all 65536 values), after which further ORs cannot change it.
    /// </summary>
    private static void PrintWideOr(RoaringBitmap[] bitmaps, int repetitions)
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

        // The whole wide OR against its core: every container of a key set into one reused bitset (no allocation,
        // no count, no early stop).
        repetitions = Math.Max(repetitions, 50);
        double whole = Best(repetitions, () => RoaringBitmap.Or(bitmaps).Cardinality);
        double scatter = Best(repetitions, () =>
        {
            foreach (List<Container> group in groups.Values)
            {
                Array.Clear(words);
                foreach (Container c in group)
                {
                    ContainerOps.LazyOrInto(words, c);
                }
            }

            return (long)words[0];
        });

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wide OR: {groups.Count} keys, {containers} containers ({runs} run, {bitsets} bitset); the union is full on {full} keys, " +
            $"and {afterFull} containers ({(double)afterFull / containers:P0}) come after their key's union is already full. " +
            $"Whole wide OR {whole / 1000:F0} µs; setting every container into one reused bitset per key {scatter / 1000:F0} µs."));
    }

    private static string Kind(Container c) => c switch
    {
        ArrayContainer => "array",
        BitsetContainer => "bitset",
        _ => "run",
    };

    private static double Best(int repetitions, Func<long> body)
    {
        // Long enough for tiered compilation to finish (tier-1 code arrives after ~100 ms in the background).
        var warmup = Stopwatch.StartNew();
        for (int w = 0; w < 3 || warmup.ElapsedMilliseconds < 250; w++)
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
