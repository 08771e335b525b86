using System.Diagnostics;
using System.Runtime.InteropServices;
using Onboarding.Bench.Generators;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Bench;

/// <summary>
/// Audience preview: parse + validate + evaluate + count of expressions over 20 segments (4 groups of 5) of 10M
/// members each, drawn uniformly at random from a 50M universe (<c>--quick</c>: 100k of 500k). Options:
/// <c>--members N</c>, <c>--universe N</c>, <c>--runs N</c>, <c>--seed N</c>.
/// </summary>
internal sealed class AudiencePreviewBenchmark : IBenchmark
{
    private const int Groups = 4;
    private const int SegmentsPerGroup = 5;

    public string Name => "preview";

    public string Description => "audience preview: parse + validate + evaluate + count over 20 segments of 10M members";

    public Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        long members = BenchArguments.Number(args, "--members", quick ? 100_000 : 10_000_000);
        long universe = BenchArguments.Number(args, "--universe", quick ? 500_000 : 50_000_000);
        int runs = (int)BenchArguments.Number(args, "--runs", quick ? 3 : 7);
        int seed = (int)BenchArguments.Number(args, "--seed", 42);
        if (members <= 0 || universe <= members || universe > uint.MaxValue)
        {
            Console.Error.WriteLine("preview: need 0 < --members < --universe <= 2^32");
            return Task.FromResult(2);
        }

        Console.WriteLine($"# Audience preview ({(quick ? "quick" : "full")}, {runs} runs per expression)");
        Console.WriteLine();
        Console.WriteLine($"- {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} CPUs");

        var build = Stopwatch.StartNew();
        var sources = new BenchSources();
        var random = new Random(seed);
        uint[] buffer = UniformSample.Buffer(members);
        for (int g = 0; g < Groups; g++)
        {
            for (int s = 0; s < SegmentsPerGroup; s++)
            {
                int count = UniformSample.Fill(random, (uint)universe, members, buffer);
                sources.Add($"G{g}", $"S{s}", RoaringBitmap.FromSorted(buffer.AsSpan(0, count)));
            }
        }

        var baseWatch = Stopwatch.StartNew();
        sources.ComputeBase();
        baseWatch.Stop();
        long totalBytes = sources.All.Sum(b => b.SerializedSizeInBytes());
        Console.WriteLine($"- {Groups * SegmentsPerGroup} segments of ~{members:N0} members uniform over [0, {universe:N0}) " +
                          $"(seed {seed}): {sources.All.Average(b => b.Cardinality):N0} members on average, " +
                          $"{totalBytes / 1e6:N0} MB serialized; built in {build.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"- base (wide OR of the 20, kept by the service, not part of a preview): {sources.Base().Cardinality:N0} members, " +
                          $"{baseWatch.Elapsed.TotalMilliseconds:N1} ms");
        Console.WriteLine("- preview = `AudienceEvaluator.Count(text, sources)` (parse + validate + evaluate + count); " +
                          "members = `Evaluate` of the parsed expression (the bitmap built); wall-clock median and best of the runs, and the " +
                          "median process CPU time (closer to the cost when the machine is shared)");
        Console.WriteLine();
        Console.WriteLine("| expression | count | preview median | preview best | preview CPU median | members median |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");

        double worst = 0;
        foreach ((string label, string text) in Expressions())
        {
            // Warm up (JIT, tiering) on the same expression.
            long count = 0;
            for (int i = 0; i < 2; i++)
            {
                count = AudienceEvaluator.Count(text, sources);
            }

            double[] preview = Measure(runs, () => AudienceEvaluator.Count(text, sources), out double[] previewCpu);
            AudienceExpression parsed = AudienceExpression.Parse(text);
            long evaluated = 0;
            double[] full = Measure(runs, () => evaluated = AudienceEvaluator.Evaluate(parsed, sources).Cardinality, out _);
            if (evaluated != count)
            {
                Console.Error.WriteLine($"preview: {label}: Count {count} but Evaluate {evaluated}");
                return Task.FromResult(1);
            }

            worst = Math.Max(worst, preview.Min());
            Console.WriteLine($"| {label} | {count:N0} | {Median(preview):N1} ms | {preview.Min():N1} ms | {Median(previewCpu):N1} ms | {Median(full):N1} ms |");
        }

        Console.WriteLine();
        Console.WriteLine($"Slowest best-of-runs preview: {worst:N1} ms (target < 50 ms).");
        return Task.FromResult(0);
    }

    /// <summary>The expressions timed: each mixes AND/OR/NOT and together they cover the 20 segments in every role.</summary>
    private static IEnumerable<(string Label, string Text)> Expressions()
    {
        string Seg(int g, int s) => $"\"G{g}=S{s}\"";
        string Join(string op, IEnumerable<string> parts) => string.Join($" {op} ", parts);
        IEnumerable<int> segs = Enumerable.Range(0, SegmentsPerGroup);
        IEnumerable<(int G, int S)> all = Enumerable.Range(0, Groups).SelectMany(g => segs.Select(s => (g, s)));

        yield return ("2 segments: `A AND NOT B`", $"{Seg(0, 0)} AND NOT {Seg(1, 0)}");
        yield return ("4 groups OR-ed inside, AND / AND NOT across (20 segments)",
            $"({Join("OR", segs.Select(s => Seg(0, s)))}) AND ({Join("OR", segs.Select(s => Seg(1, s)))}) " +
            $"AND NOT ({Join("OR", segs.Select(s => Seg(2, s)))}) AND NOT ({Join("OR", segs.Select(s => Seg(3, s)))})");
        yield return ("same with wildcards: `\"G0=*\" AND \"G1=*\" AND NOT \"G2=*\" AND NOT \"G3=*\"`",
            "\"G0=*\" AND \"G1=*\" AND NOT \"G2=*\" AND NOT \"G3=*\"");
        yield return ("builder All: 20 rows, 4 included (one per group), 16 excluded",
            Join("AND", all.Select(x => (x.S == 0 ? string.Empty : "NOT ") + Seg(x.G, x.S))));
        yield return ("builder Any: 20 rows, 4 excluded",
            Join("OR", all.Select((x, i) => (i % 5 == 4 ? "NOT " : string.Empty) + Seg(x.G, x.S))));
        yield return ("10 pairs: `A AND B OR C AND NOT D OR …` (20 segments)",
            Join("OR", Enumerable.Range(0, 10).Select(i =>
                $"{Seg(i / 5 * 2, i % 5)} AND {(i % 2 == 0 ? "NOT " : string.Empty)}{Seg(i / 5 * 2 + 1, i % 5)}")));
        yield return ("pure NOT of an OR of 10 (two groups)", $"NOT ({Join("OR", all.Where(x => x.G < 2).Select(x => Seg(x.G, x.S)))})");
    }

    /// <summary>Wall-clock milliseconds of each run; <paramref name="cpu"/> gets the process CPU milliseconds of each.</summary>
    internal static double[] Measure(int runs, Action action, out double[] cpu)
    {
        double[] times = new double[runs];
        cpu = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < runs; i++)
        {
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        }

        return times;
    }

    internal static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Sources held in memory, as the service would keep them; the base is computed once up front.</summary>
    private sealed class BenchSources : IAudienceSources
    {
        private readonly Dictionary<string, List<string>> _groups = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), RoaringBitmap> _segments = [];
        private RoaringBitmap? _base;

        public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; private set; } =
            new Dictionary<string, IReadOnlyList<string>>();

        public IEnumerable<RoaringBitmap> All => _segments.Values;

        public void Add(string group, string segment, RoaringBitmap members)
        {
            if (!_groups.TryGetValue(group, out List<string>? names))
            {
                _groups[group] = names = [];
            }

            names.Add(segment);
            _segments[(group, segment)] = members;
            Groups = _groups.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Value, StringComparer.Ordinal);
        }

        public void ComputeBase() => _base = RoaringBitmap.Or(_segments.Values);

        public RoaringBitmap? Segment(string group, string segment) => _segments.GetValueOrDefault((group, segment));

        public RoaringBitmap Base() => _base ?? throw new InvalidOperationException("ComputeBase first");

        public AudienceReference? Reference(string name) => null;
    }
}
