using System.Diagnostics;
using System.Runtime.InteropServices;
using Onboarding.Bench.Generators;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Bench;

/// <summary>
/// Audience processing through <see cref="AudienceService"/> on a real data folder: 50 segments (5 groups of 10) of
/// 0.2M..10M members drawn uniformly from a 50M universe, committed as one journal entry; 100 audiences of mixed
/// shapes (some referring to earlier ones) created and activated; then <see cref="AudienceService.Process"/> of all
/// 100 for successive dates (each run writes the memberships and size histories durably), and
/// <see cref="AudienceService.Preview"/> of typical expressions. Options: <c>--quick</c> (100k members of 500k,
/// 20 audiences), <c>--members N</c> (largest segment), <c>--universe N</c>, <c>--audiences N</c>, <c>--runs N</c>,
/// <c>--seed N</c>, <c>--dir PATH</c> (data folder; default a temporary one, deleted).
/// </summary>
internal sealed class AudienceProcessingBenchmark : IBenchmark
{
    private const int Groups = 5;
    private const int SegmentsPerGroup = 10;
    private const string Client = "bench";

    public string Name => "process";

    public string Description => "audience processing: 100 active audiences over 50 segments of up to 10M members, through AudienceService";

    public Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        long members = BenchArguments.Number(args, "--members", quick ? 100_000 : 10_000_000);
        long universe = BenchArguments.Number(args, "--universe", quick ? 500_000 : 50_000_000);
        int audiences = (int)BenchArguments.Number(args, "--audiences", quick ? 20 : 100);
        int runs = (int)BenchArguments.Number(args, "--runs", quick ? 2 : 3);
        int seed = (int)BenchArguments.Number(args, "--seed", 42);
        if (members <= 0 || universe <= members || universe > uint.MaxValue || audiences <= 0)
        {
            Console.Error.WriteLine("process: need 0 < --members < --universe <= 2^32 and --audiences > 0");
            return Task.FromResult(2);
        }

        string? dir = BenchArguments.Option(args, "--dir");
        bool temporary = dir is null;
        dir ??= Directory.CreateTempSubdirectory("onboarding-process-").FullName;
        try
        {
            return Task.FromResult(Run(dir, members, universe, audiences, runs, seed, quick));
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static int Run(string dir, long members, long universe, int audienceCount, int runs, int seed, bool quick)
    {
        Console.WriteLine($"# Audience processing ({(quick ? "quick" : "full")})");
        Console.WriteLine();
        Console.WriteLine($"- {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} CPUs, load average {LoadAverage()}, folder {dir}");

        using DataFolder data = DataFolder.Open(dir);
        var build = Stopwatch.StartNew();
        long totalMembers = BuildSegments(data.Client(Client), members, universe, seed);
        Console.WriteLine($"- {Groups * SegmentsPerGroup} segments ({Groups} groups of {SegmentsPerGroup}), {members / 50:N0}..{members:N0} members " +
                          $"uniform over [0, {universe:N0}), {totalMembers:N0} memberships; written in {build.Elapsed.TotalSeconds:N1} s");

        var time = new BenchTime(new DateOnly(2026, 1, 1));
        var service = new AudienceService(data, Client, time: time);
        var random = new Random(seed);
        string[] expressions = [.. Enumerable.Range(0, audienceCount).Select(i => Expression(random, i))];
        var activation = Stopwatch.StartNew();
        for (int i = 0; i < expressions.Length; i++)
        {
            service.Create($"A{i}", expressions[i], "bench");
            service.Activate($"A{i}");
        }

        activation.Stop();
        Console.WriteLine($"- {audienceCount} audiences created and activated (each activation processes that audience) in {activation.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine();
        Console.WriteLine("| run | processed | wall | CPU | per audience (wall) | allocated |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        using var process = Process.GetCurrentProcess();
        var walls = new List<double>();
        for (int run = 1; run <= runs; run++)
        {
            time.NextDay();
            process.Refresh();
            TimeSpan cpu = process.TotalProcessorTime;
            long allocated = GC.GetTotalAllocatedBytes(precise: false);
            long start = Stopwatch.GetTimestamp();
            ProcessingReport report = service.Process();
            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            double cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            walls.Add(wall);
            Console.WriteLine($"| {run} | {report.Processed.Count} | {wall:N2} s | {cpuSeconds:N2} s | {wall * 1000 / report.Processed.Count:N1} ms | " +
                              $"{(GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1e6:N0} MB |");
        }

        Console.WriteLine();
        Console.WriteLine($"Fastest processing of {audienceCount} audiences: {walls.Min():N2} s; peak working set {process.PeakWorkingSet64 / 1e6:N0} MB.");
        Console.WriteLine();
        // The same evaluations without the service's persistence (run files, histories, fsyncs), on one thread.
        var sources = new StoreSources(data.Client(Client), expressions);
        sources.Base();
        foreach (bool persistLike in (bool[])[false, true])
        {
            process.Refresh();
            TimeSpan cpu = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            long bytes = 0;
            for (int i = 0; i < expressions.Length; i++)
            {
                RoaringBitmap result = AudienceEvaluator.Evaluate(AudienceExpression.Parse(expressions[i]), sources, $"A{i}");
                if (persistLike)
                {
                    result.RunOptimize();
                    using var memory = new MemoryStream();
                    result.Serialize(memory);
                    bytes += memory.Length;
                }
            }

            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            Console.WriteLine($"- one thread, no files: {(persistLike ? "evaluate + RunOptimize + serialize to memory" : "evaluate only")} of the {audienceCount}: " +
                              $"{wall:N2} s wall, {(process.TotalProcessorTime - cpu).TotalSeconds:N2} s CPU{(persistLike ? $", {bytes / 1e6:N0} MB serialized" : string.Empty)}");
        }
        Console.WriteLine();
        Console.WriteLine("| preview (`AudienceService.Preview`: sources, base, parse, validate, count) | size | best | median | CPU median |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string text in expressions.Take(8))
        {
            service.Preview(text);
            long size = 0;
            double[] wall = AudiencePreviewBenchmark.Measure(quick ? 3 : 7, () => size = service.Preview(text).Size, out double[] cpu);
            Console.WriteLine($"| `{(text.Length > 70 ? text[..67] + "..." : text)}` | {size:N0} | {wall.Min():N1} ms | " +
                              $"{AudiencePreviewBenchmark.Median(wall):N1} ms | {AudiencePreviewBenchmark.Median(cpu):N1} ms |");
        }

        return 0;
    }

    /// <summary>Commits the 50 segments as one journal entry, as an ingestion would; returns the total memberships.</summary>
    private static long BuildSegments(ClientStore store, long largest, long universe, int seed)
    {
        var random = new Random(seed);
        uint[] buffer = UniformSample.Buffer(largest);
        int firstId = store.NextSegmentId();
        var versions = new List<(SegmentChange, RoaringBitmap)>();
        long total = 0;
        for (int g = 0; g < Groups; g++)
        {
            for (int s = 0; s < SegmentsPerGroup; s++)
            {
                int index = (g * SegmentsPerGroup) + s;
                long size = largest * (index + 1) / (Groups * SegmentsPerGroup);
                int count = UniformSample.Fill(random, (uint)universe, size, buffer);
                RoaringBitmap bitmap = RoaringBitmap.FromSorted(buffer.AsSpan(0, count));
                bitmap.RunOptimize();
                versions.Add((new SegmentChange(firstId + index, $"G{g}", $"S{s}", SegmentType.Dynamic, 1, count, count, 0), bitmap));
                total += count;
            }
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        store.Commit(
            new JournalEntry
            {
                Sequence = store.NextSequence,
                FileName = "HEMSHA2_bench_20260101.csv",
                ContentHash = $"bench-{seed}-{largest}-{universe}",
                Mode = IngestionMode.Full,
                Received = now,
                Completed = now,
                Outcome = FileOutcome.Applied,
                RowsRead = total,
                RowsApplied = total,
                Changes = [.. versions.Select(v => v.Item1)],
            },
            versions);
        return total;
    }

    /// <summary>The i-th audience: one of eight shapes over random segments; the last refers to an earlier audience.</summary>
    private static string Expression(Random random, int i)
    {
        string Seg() => $"\"G{random.Next(Groups)}=S{random.Next(SegmentsPerGroup)}\"";
        string Group() => $"\"G{random.Next(Groups)}=*\"";
        string Join(string op, int n, Func<string> part) => string.Join($" {op} ", Enumerable.Range(0, n).Select(_ => part()));
        return (i % 8) switch
        {
            0 => $"{Seg()} AND NOT {Seg()}",
            1 => $"({Join("OR", 3, Seg)}) AND ({Join("OR", 3, Seg)}) AND NOT ({Join("OR", 3, Seg)})",
            2 => $"{Group()} AND {Group()} AND NOT {Group()}",
            3 => $"{Join("AND", 3, Seg)} AND NOT {Join("AND NOT", 4, Seg)}",
            4 => $"{Join("OR", 6, Seg)} OR NOT {Seg()}",
            5 => Join("OR", 5, () => $"{Seg()} AND NOT {Seg()}"),
            6 => $"NOT ({Join("OR", 5, Seg)})",
            _ => $"@\"A{random.Next(i)}\" AND NOT {Seg()}",
        };
    }

    /// <summary>The client's segments as the evaluator sees them, without the service (audiences by their expressions).</summary>
    private sealed class StoreSources(ClientStore store, string[] expressions) : IAudienceSources
    {
        private readonly Dictionary<(string, string), SegmentInfo> _segments = store.ListSegments().ToDictionary(s => (s.Group, s.Segment));
        private RoaringBitmap? _base;

        public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; } = store.ListSegments().GroupBy(s => s.Group)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(s => s.Segment)]);

        public RoaringBitmap? Segment(string group, string segment) =>
            _segments.TryGetValue((group, segment), out SegmentInfo? info) ? store.ReadMembers(info) : null;

        public RoaringBitmap Base() => _base ??= RoaringBitmap.Or([.. _segments.Values.Select(store.ReadMembers)]);

        public AudienceReference? Reference(string name) =>
            int.TryParse(name.AsSpan(1), out int i) && i < expressions.Length ? new AudienceReference.Audience(name, expressions[i]) : null;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>A clock that moves a day at a time, so every processing run has a date of its own.</summary>
    private sealed class BenchTime(DateOnly first) : TimeProvider
    {
        private DateTimeOffset _now = new(first.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => _now;

        public void NextDay() => _now = _now.AddDays(1);
    }
}
