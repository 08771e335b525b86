using System.Diagnostics;
using System.Globalization;
using Onboarding.Bench.Generators;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Bench;

/// <summary>
/// Parse speed of <see cref="OnboardingFileReader"/> on a HEMSHA2 delta file (10M rows, 5M distinct IDs, 20 segments,
/// 10% of rows with a Remove; <c>--quick</c>: 100k rows). Options: <c>--rows N</c>, <c>--file PATH</c> (reuse a file,
/// generated there when missing), <c>--runs N</c>.
/// </summary>
internal sealed class ParserBenchmark : IBenchmark
{
    public string Name => "parse";

    public string Description => "onboarding file parser: rows/s and peak working set on a HEMSHA2 delta file";

    public Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        long rows = Option(args, "--rows") is string r ? long.Parse(r, CultureInfo.InvariantCulture) : quick ? 100_000 : 10_000_000;
        int runs = Option(args, "--runs") is string n ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
        string? file = Option(args, "--file");
        string? tempDir = null;
        if (file is null)
        {
            tempDir = Directory.CreateTempSubdirectory("onboarding-parse-").FullName;
            file = Path.Combine(tempDir, "HEMSHA2_bench_20240101.csv");
        }

        try
        {
            if (!File.Exists(file))
            {
                var generator = new OnboardingFileGenerator { Rows = rows, DistinctIds = Math.Max(1, rows / 2) };
                var watch = Stopwatch.StartNew();
                long size = generator.Write(file);
                Console.WriteLine($"generated {rows:N0} rows, {size / 1e6:N0} MB in {watch.Elapsed.TotalSeconds:N2} s: {file}");
            }

            long bytes = new FileInfo(file).Length;
            Console.WriteLine($"parsing {file} ({bytes / 1e6:N0} MB), {runs} runs after a warm-up");
            Parse(file);
            double best = double.MaxValue;
            double bestCpu = double.MaxValue;
            long read = 0;
            for (int run = 0; run < runs; run++)
            {
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                (read, long rejected, int segments, ulong checksum) = Parse(file);
                double seconds = watch.Elapsed.TotalSeconds;
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                best = Math.Min(best, seconds);
                bestCpu = Math.Min(bestCpu, cpu);
                Console.WriteLine(
                    $"run {run + 1}: {read:N0} rows ({rejected:N0} rejected, {segments} segments) in {seconds:N3} s (CPU {cpu:N3} s) = " +
                    $"{read / seconds / 1e6:N2}M rows/s, {bytes / seconds / 1e6:N0} MB/s, allocated {allocated / 1e6:N1} MB, checksum {checksum:x16}");
            }

            using var process = Process.GetCurrentProcess();
            Console.WriteLine(
                $"best: {read / best / 1e6:N2}M rows/s ({best:N3} s wall), {read / bestCpu / 1e6:N2}M rows/s ({bestCpu:N3} s CPU), peak working set {process.PeakWorkingSet64 / 1e6:N0} MB, " +
                $"GC heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:N0} MB");
            return Task.FromResult(0);
        }
        finally
        {
            if (tempDir is not null)
            {
                Directory.Delete(tempDir, recursive: true);
            }
        }
    }

    private static (long Rows, long Rejected, int Segments, ulong Checksum) Parse(string file)
    {
        using OnboardingFileReader reader = OnboardingFileReader.Open(file);
        ulong checksum = 0;
        while (reader.TryReadNext(out OnboardingRow row, out RowError? error))
        {
            if (error is null)
            {
                checksum += BitConverter.ToUInt64(row.Id) + (ulong)row.AddIndexes.Length + (ulong)row.RemoveIndexes.Length;
            }
        }

        return (reader.RowsRead, reader.RowsRejected, reader.Segments.Count, checksum);
    }

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
