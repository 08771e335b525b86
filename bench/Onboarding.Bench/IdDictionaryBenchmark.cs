using System.Diagnostics;
using Onboarding.Engine.CrashHost;
using Onboarding.Engine.Ids;

namespace Onboarding.Bench;

/// <summary>
/// ID dictionary: inserts/s and lookups/s for N random 32-byte IDs (batches of 100k, a Flush per batch), reopen
/// time, disk and memory per ID. <c>--reopen N</c> builds an N-ID store in a temp folder and times its reopen.
/// Options: <c>--quick</c> (200k), <c>--count N</c>, <c>--reopen N</c>, <c>--cold</c> (drop the page cache
/// before reopening; needs root), <c>--dir PATH</c> (where the temp store goes), <c>--keep PATH</c> (with
/// --reopen: keep the store at PATH, and reuse it if it is there, so that a second run times only the reopen
/// and its peak working set is the reopen's alone).
/// </summary>
internal sealed class IdDictionaryBenchmark : IBenchmark
{
    private const int BatchSize = 100_000;
    private const int KeyLength = 32;

    public string Name => "ids";

    public string Description => "ID dictionary: inserts/s, lookups/s, reopen time, B/ID (--quick, --count N, --reopen N, --cold)";

    public Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        bool cold = args.Contains("--cold");
        long reopen = Option(args, "--reopen", 0);
        long count = Option(args, "--count", quick ? 200_000 : 10_000_000);
        string root = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault() ?? Path.GetTempPath();
        string folder = Path.Combine(root, $"ids-bench-{Environment.ProcessId}");
        string? keep = args.SkipWhile(a => a != "--keep").Skip(1).FirstOrDefault();
        if (reopen > 0 && keep is not null)
        {
            RunReopen(keep, reopen, cold);
            return Task.FromResult(0);
        }

        Directory.CreateDirectory(folder);
        try
        {
            if (reopen > 0)
            {
                RunReopen(Path.Combine(folder, "HEMSHA2.ids"), reopen, cold);
            }
            else
            {
                RunThroughput(Path.Combine(folder, "HEMSHA2.ids"), count, cold);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return Task.FromResult(0);
    }

    private static void RunThroughput(string path, long count, bool cold)
    {
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"ID dictionary, {count:N0} random 32-byte IDs, batches of {BatchSize:N0}, Flush per batch");
        TimeSpan insert;
        TimeSpan flush;
        long memory;
        MarkCpu();
        using (IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2))
        {
            (insert, flush) = Insert(dictionary, 0, count, BatchSize);
            memory = dictionary.MemoryBytes;
            Report("insert (GetOrAdd batch + Flush)", count, insert + flush);
            Console.WriteLine($"  of which Flush: {flush.TotalSeconds:F2} s");

            var random = new Random(7);
            byte[] id = new byte[KeyLength];
            var watch = Stopwatch.StartNew();
            for (long i = 0; i < count; i++)
            {
                long index = random.NextInt64(count);
                SyntheticIds.Write(index, id);
                if (!dictionary.TryGetOrdinal(id, out uint ordinal) || ordinal != index)
                {
                    throw new InvalidOperationException($"lookup of ID {index} returned {ordinal}");
                }
            }

            Report("lookup (TryGetOrdinal, random order)", count, watch.Elapsed);

            byte[] ids = new byte[BatchSize * KeyLength];
            uint[] ordinals = new uint[BatchSize];
            long[] wanted = new long[BatchSize];
            TimeSpan batched = TimeSpan.Zero;
            for (long done = 0; done < count; done += BatchSize)
            {
                int n = (int)Math.Min(BatchSize, count - done);
                for (int j = 0; j < n; j++)
                {
                    wanted[j] = random.NextInt64(count);
                    SyntheticIds.Write(wanted[j], ids.AsSpan(j * KeyLength, KeyLength));
                }

                long start = Stopwatch.GetTimestamp();
                dictionary.GetOrAdd(ids.AsSpan(0, n * KeyLength), ordinals.AsSpan(0, n));
                batched += Stopwatch.GetElapsedTime(start);
                for (int j = 0; j < n; j++)
                {
                    if (ordinals[j] != wanted[j])
                    {
                        throw new InvalidOperationException($"batch lookup of ID {wanted[j]} returned {ordinals[j]}");
                    }
                }
            }

            Report("lookup (GetOrAdd batch of existing IDs, random order)", count, batched);

            watch.Restart();
            for (long i = 0; i < count; i++)
            {
                dictionary.GetId((uint)random.NextInt64(count), id);
            }

            Report("GetId (random order)", count, watch.Elapsed);
        }

        long fileBytes = new FileInfo(path).Length;
        MarkCpu();
        TimeSpan reopen = Reopen(path, count, cold, out long reopenedMemory);
        Report($"reopen ({(cold ? "cold" : "warm")} page cache)", count, reopen);
        Console.WriteLine($"disk: {fileBytes:N0} bytes, {(double)fileBytes / count:F1} B/ID");
        Console.WriteLine($"memory: {(double)memory / count:F1} B/ID after inserting, {(double)reopenedMemory / count:F1} B/ID after reopening (records + index)");
        Console.WriteLine($"process peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
    }

    private static void RunReopen(string path, long count, bool cold)
    {
        Console.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"ID dictionary reopen, {count:N0} random 32-byte IDs (built in batches of 1,000,000, Flush per batch)");
        if (File.Exists(path))
        {
            Console.WriteLine($"reusing the store at {path}");
        }
        else
        {
            MarkCpu();
            using IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2);
            (TimeSpan insert, TimeSpan flush) = Insert(dictionary, 0, count, 1_000_000);
            Report("build (GetOrAdd batch + Flush)", count, insert + flush);
        }

        GC.Collect();
        MarkCpu();
        Console.WriteLine($"disk: {new FileInfo(path).Length / (1024.0 * 1024):N0} MiB");
        TimeSpan reopen = Reopen(path, count, cold, out long memory);
        Report($"reopen ({(cold ? "cold" : "warm")} page cache)", count, reopen);
        Console.WriteLine($"memory after reopening: {(double)memory / count:F1} B/ID (records + index)");
        Console.WriteLine($"process peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):F0} MiB");
    }

    private static (TimeSpan Insert, TimeSpan Flush) Insert(IdDictionary dictionary, long from, long to, int batchSize)
    {
        byte[] ids = new byte[batchSize * KeyLength];
        uint[] ordinals = new uint[batchSize];
        TimeSpan insert = TimeSpan.Zero;
        TimeSpan flush = TimeSpan.Zero;
        for (long done = from; done < to; done += batchSize)
        {
            int n = (int)Math.Min(batchSize, to - done);
            for (int j = 0; j < n; j++)
            {
                SyntheticIds.Write(done + j, ids.AsSpan(j * KeyLength, KeyLength));
            }

            long start = Stopwatch.GetTimestamp();
            dictionary.GetOrAdd(ids.AsSpan(0, n * KeyLength), ordinals.AsSpan(0, n));
            long flushStart = Stopwatch.GetTimestamp();
            dictionary.Flush();
            insert += Stopwatch.GetElapsedTime(start, flushStart);
            flush += Stopwatch.GetElapsedTime(flushStart);
            if (ordinals[n - 1] != done + n - 1)
            {
                throw new InvalidOperationException("IDs were not all new: the generator repeated itself");
            }
        }

        return (insert, flush);
    }

    private static TimeSpan Reopen(string path, long count, bool cold, out long memory)
    {
        if (cold)
        {
            DropPageCache();
        }

        var watch = Stopwatch.StartNew();
        using IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2);
        TimeSpan elapsed = watch.Elapsed;
        if (dictionary.Count != count)
        {
            throw new InvalidOperationException($"reopened with {dictionary.Count} IDs, expected {count}");
        }

        memory = dictionary.MemoryBytes;
        return elapsed;
    }

    private static void DropPageCache()
    {
        try
        {
            using (Process sync = Process.Start("sync"))
            {
                sync.WaitForExit();
            }

            File.WriteAllText("/proc/sys/vm/drop_caches", "3");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"(could not drop the page cache: {e.Message}; the reopen below is warm)");
        }
    }

    private static TimeSpan _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;

    private static void MarkCpu() => _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Prints the rate, and the process CPU time since the previous report (less sensitive than wall
    /// time to other processes competing for the two cores).</summary>
    private static void Report(string what, long count, TimeSpan elapsed)
    {
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Console.WriteLine($"{what}: {elapsed.TotalSeconds:F2} s, {count / elapsed.TotalSeconds / 1e6:F2}M/s (process CPU  {(cpu - _cpuMark).TotalSeconds:F2} s)");
        _cpuMark = cpu;
    }

    private static long Option(string[] args, string name, long fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? long.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
