using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Onboarding.Bench.Generators;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Bench;

/// <summary>
/// End-to-end ingestion through <see cref="IngestionService.Ingest"/>: a HEMSHA2 delta file (10M rows drawn from a pool
/// of 5M IDs, 20 segments, 10% of rows with a Remove) applied to a data folder already holding 5M IDs and the 20
/// segments. Half of the delta's ID pool is in the store already (pool = ID numbers 0..5M-1, store = 2.5M..7.5M-1).
/// <c>--reopen</c>: a data folder whose client holds 50M IDs; times <see cref="DataFolder.Open"/> plus the first use
/// of the dictionary. Options: <c>--quick</c>, <c>--rows N</c>, <c>--preload N</c>, <c>--ids N</c> (reopen),
/// <c>--runs N</c>, <c>--dir PATH</c> (keep the generated files and stores there and reuse them),
/// <c>--cold</c> (reopen: evict the store's files from the page cache first).
/// </summary>
internal sealed class IngestBenchmark : IBenchmark
{
    private const string Complete = "complete";

    public string Name => "ingest";

    public string Description => "end-to-end ingestion of a delta file into a preloaded store (--reopen: open a 50M-ID store)";

    public Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        int runs = Option(args, "--runs") is string n ? int.Parse(n, CultureInfo.InvariantCulture) : 1;
        string? dir = Option(args, "--dir");
        bool temporary = dir is null;
        dir ??= Directory.CreateTempSubdirectory("onboarding-ingest-").FullName;
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, folder {dir}");
            return Task.FromResult(args.Contains("--reopen")
                ? Reopen(dir, Long(args, "--ids", quick ? 1_000_000 : 50_000_000), runs, args.Contains("--cold"))
                : Ingest(dir, Long(args, "--rows", quick ? 200_000 : 10_000_000), Long(args, "--preload", quick ? 100_000 : 5_000_000), runs));
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static int Ingest(string dir, long rows, long preload, int runs)
    {
        long pool = rows / 2;
        var delta = new OnboardingFileGenerator { Rows = rows, DistinctIds = pool };
        var initial = new OnboardingFileGenerator { Rows = preload, DistinctIds = preload, FirstId = pool / 2, EachIdOnce = true, RemoveShare = 0, Seed = 7 };
        string deltaFile = Generate(delta, Path.Combine(dir, $"HEMSHA2_bench{rows}_20240102.csv"));
        string initialFile = Generate(initial, Path.Combine(dir, $"HEMSHA2_preload{preload}_20240101.csv"));
        string template = Path.Combine(dir, $"store-preloaded-{preload}");
        if (!File.Exists(Path.Combine(template, Complete)))
        {
            var watch = Stopwatch.StartNew();
            DeleteIfExists(template);
            using (DataFolder data = DataFolder.Open(template))
            {
                IngestionResult r = new IngestionService(data).Ingest(new IngestionRequest(initialFile) { ReportFolder = dir });
                Require(r);
            }

            File.WriteAllText(Path.Combine(template, Complete), "");
            Console.WriteLine($"preloaded store: {preload:N0} IDs, 20 segments in {watch.Elapsed.TotalSeconds:N1} s: {template}");
        }

        // Expected distinct IDs in the delta: a pool of P drawn R times with replacement touches P(1 - e^(-R/P)).
        double touched = pool * (1 - Math.Exp(-(double)rows / pool));
        Console.WriteLine(
            $"delta file: {rows:N0} rows, {new FileInfo(deltaFile).Length / 1e6:N0} MB, ID pool {pool:N0} (≈{touched:N0} distinct drawn), half of the pool preloaded; " +
            $"store: {preload:N0} IDs");

        string work = Path.Combine(dir, "work");
        for (int run = 1; run <= runs; run++)
        {
            DeleteIfExists(work);
            CopyDirectory(template, work);
            File.Delete(Path.Combine(work, Complete));
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            ProcessStats.ResetPeakWorkingSet();
            string loadBefore = ProcessStats.LoadAverage();

            var open = Stopwatch.StartNew();
            using DataFolder data = DataFolder.Open(work);
            data.Client(DataFolder.DefaultClient).Dictionary(IdType.HemSha2);
            open.Stop();

            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var watch = Stopwatch.StartNew();
            IngestionResult result = new IngestionService(data).Ingest(new IngestionRequest(deltaFile) { ReportFolder = work, Force = true });
            double seconds = watch.Elapsed.TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            Require(result);

            IngestionTimings t = result.Timings;
            Console.WriteLine(
                $"run {run}: {result.RowsRead:N0} rows in {seconds:N2} s wall = {result.RowsRead / seconds / 1e6:N2}M rows/s " +
                $"(CPU {cpu:N2} s = {result.RowsRead / cpu / 1e6:N2}M rows/s by CPU), {result.NewIds:N0} new IDs, " +
                $"{result.Segments.Count} segments, allocated {allocated / 1e6:N0} MB");
            Console.WriteLine(
                $"  phases: hash {t.Hash.TotalSeconds:N2} s | parse + dictionary {t.Read.TotalSeconds:N2} s | resolve {t.Resolve.TotalSeconds:N2} s | " +
                $"commit {t.Commit.TotalSeconds:N2} s   (before it: open folder + load dictionary {open.Elapsed.TotalSeconds:N2} s)");
            Console.WriteLine(
                $"  peak working set (VmHWM, open + ingest) {ProcessStats.PeakWorkingSetMb():N0} MB, store dictionary {data.Client(DataFolder.DefaultClient).Dictionary(IdType.HemSha2).Count:N0} IDs, " +
                $"load average {loadBefore} -> {ProcessStats.LoadAverage()}");
        }

        DeleteIfExists(work);
        return 0;
    }

    private static int Reopen(string dir, long ids, int runs, bool cold)
    {
        string store = Path.Combine(dir, $"store-{ids}-ids");
        if (!File.Exists(Path.Combine(store, Complete)))
        {
            Build(dir, store, ids);
        }

        long bytes = Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"reopening {store}: {ids:N0} IDs, {bytes / 1e6:N0} MB on disk, {(cold ? "store files evicted from the page cache" : "page cache warm")}");
        Span<byte> probe = stackalloc byte[32];
        OnboardingFileGenerator.IdFor(ids - 1, probe);
        for (int run = 1; run <= runs; run++)
        {
            if (cold)
            {
                Evict(store);
            }

            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            ProcessStats.ResetPeakWorkingSet();
            string loadBefore = ProcessStats.LoadAverage();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            using (DataFolder data = DataFolder.Open(store))
            {
                double opened = watch.Elapsed.TotalSeconds;
                ClientStore client = data.Client(DataFolder.DefaultClient);
                IdDictionary dictionary = client.Dictionary(IdType.HemSha2);
                bool found = dictionary.TryGetOrdinal(probe, out uint ordinal);
                double seconds = watch.Elapsed.TotalSeconds;
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                if (!found || ordinal != ids - 1 || dictionary.Count != ids)
                {
                    throw new InvalidOperationException($"reopened store holds {dictionary.Count:N0} IDs; probe found={found} ordinal={ordinal}");
                }

                Console.WriteLine(
                    $"run {run}: open folder {opened:N2} s, + dictionary of {dictionary.Count:N0} IDs and first lookup = {seconds:N2} s wall " +
                    $"(CPU {cpu:N2} s), peak working set {ProcessStats.PeakWorkingSetMb():N0} MB, dictionary memory {dictionary.MemoryBytes / 1e6:N0} MB, " +
                    $"load average {loadBefore} -> {ProcessStats.LoadAverage()}");
            }
        }

        return 0;
    }

    /// <summary>A data folder whose client holds <paramref name="ids"/> IDs (ID numbers 0..ids-1) and 20 segments over them.</summary>
    private static void Build(string dir, string store, long ids)
    {
        var watch = Stopwatch.StartNew();
        DeleteIfExists(store);
        const int Batch = 1 << 20;
        byte[] buffer = new byte[Batch * 32];
        uint[] ordinals = new uint[Batch];
        using (DataFolder data = DataFolder.Open(store))
        {
            IdDictionary dictionary = data.Client(DataFolder.DefaultClient).Dictionary(IdType.HemSha2);
            for (long first = 0; first < ids; first += Batch)
            {
                int count = (int)Math.Min(Batch, ids - first);
                for (int i = 0; i < count; i++)
                {
                    OnboardingFileGenerator.IdFor(first + i, buffer.AsSpan(i * 32, 32));
                }

                dictionary.GetOrAdd(buffer.AsSpan(0, count * 32), ordinals.AsSpan(0, count));
                if ((first / Batch) % 8 == 7)
                {
                    dictionary.Flush();
                }
            }

            dictionary.Flush();

            // Segments over the same IDs, through the real ingestion path.
            long rows = Math.Min(ids, 2_000_000);
            string file = Generate(new OnboardingFileGenerator { Rows = rows, DistinctIds = ids, RemoveShare = 0 }, Path.Combine(dir, $"HEMSHA2_segments{ids}_20240101.csv"));
            Require(new IngestionService(data).Ingest(new IngestionRequest(file) { ReportFolder = dir }));
            File.Delete(file);
        }

        File.WriteAllText(Path.Combine(store, Complete), "");
        Console.WriteLine($"built {store} in {watch.Elapsed.TotalSeconds:N0} s");
    }

    private static string Generate(OnboardingFileGenerator generator, string path)
    {
        if (!File.Exists(path))
        {
            var watch = Stopwatch.StartNew();
            long size = generator.Write(path + ".tmp");
            File.Move(path + ".tmp", path);
            Console.WriteLine($"generated {generator.Rows:N0} rows, {size / 1e6:N0} MB in {watch.Elapsed.TotalSeconds:N1} s: {path}");
        }

        return path;
    }

    private static void Require(IngestionResult result)
    {
        if (!result.IsApplied)
        {
            throw new InvalidOperationException($"ingestion of {result.FileName} was {result.Outcome}: {result.Reason}");
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string sub in Directory.EnumerateDirectories(from))
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }

    private static void DeleteIfExists(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Drops the store's own files from the page cache (posix_fadvise DONTNEED), leaving the rest of the machine alone.</summary>
    private static void Evict(string folder)
    {
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using FileStream stream = File.OpenRead(file);
            _ = PosixFadvise((int)stream.SafeFileHandle.DangerousGetHandle(), 0, 0, 4 /* POSIX_FADV_DONTNEED */);
        }
    }

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int PosixFadvise(int fd, long offset, long length, int advice);

    private static long Long(string[] args, string name, long fallback) =>
        Option(args, name) is string value ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
