using System.Diagnostics;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Inbox;
using Onboarding.Testing;

namespace Onboarding.Bench;

/// <summary>
/// Issue #8's load (<see cref="LoadScenario"/>, shared with the load test): 5 clients × 10 files of 200k rows
/// (<c>--quick</c>: 20k) renamed into the inbox of an in-process <c>onboard watch</c> host at once, while previews
/// (every client's lock, as the TUI's editor), audience processing rounds and one export run. Reports the wall time
/// until every file is ingested and every operation returned, rows/s, each operation's latencies, the slowest
/// operation, CPU time and load average. Options: <c>--rows N</c> (per file), <c>--clients N</c>, <c>--files N</c>
/// (per client), <c>--dir PATH</c> (kept), <c>--verify</c> (replay the files sequentially and compare every segment).
/// </summary>
internal sealed class LoadBenchmark : IBenchmark
{
    public string Name => "load";

    public string Description => "50 files from 5 clients at once into the watcher, with previews, processing and an export (throughput, latencies)";

    public async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        string? kept = BenchArguments.Option(args, "--dir");
        string dir = kept ?? Directory.CreateTempSubdirectory("onboarding-load-").FullName;
        var scenario = new LoadScenario(dir)
        {
            RowsPerFile = (int)BenchArguments.Number(args, "--rows", quick ? 20_000 : 200_000),
            Clients = (int)BenchArguments.Number(args, "--clients", 5),
            FilesPerClient = (int)BenchArguments.Number(args, "--files", 10),
            KeepMembers = args.Contains("--verify"),
        };
        try
        {
            Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, folder {dir}, load average {ProcessStats.LoadAverage()}");
            var setup = Stopwatch.StartNew();
            scenario.Prepare();
            Console.WriteLine($"setup (seed {scenario.Clients} clients, audiences, export, write {scenario.Clients * scenario.FilesPerClient} files of {scenario.RowsPerFile:N0} rows): {setup.Elapsed.TotalSeconds:N1} s");

            LoadReport report = await scenario.RunAsync(timeout: TimeSpan.FromHours(1));
            if (report.TimedOut)
            {
                Console.Error.WriteLine("timed out: not every file or operation completed within an hour");
                return 1;
            }

            Print(scenario, report);
            int failed = report.Files.Count(f => f.State != ReceivedFileState.Processed) + report.Previews.Count(p => p.Error is not null)
                + (report.Export?.State == ExportRunState.Complete ? 0 : 1);
            if (failed > 0)
            {
                Console.Error.WriteLine($"{failed} file(s) or operation(s) failed");
                return 1;
            }

            return args.Contains("--verify") ? Verify(scenario, report) : 0;
        }
        finally
        {
            if (kept is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static void Print(LoadScenario scenario, LoadReport report)
    {
        double wall = report.Wall.TotalSeconds;
        List<TimeSpan> ingest = [.. report.Files.Select(f => f.Duration ?? TimeSpan.Zero)];
        List<TimeSpan> waited = [.. report.Files.Select(f => (f.Completed ?? f.Received) - f.Received)];
        List<TimeSpan> previews = [.. report.Previews.Select(p => p.Latency)];
        List<TimeSpan> rounds = [.. report.ProcessingRounds];
        Console.WriteLine();
        Console.WriteLine("| measurement | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| files, rows | {report.Files.Count} files from {scenario.Clients} clients, {scenario.TotalRows:N0} rows |");
        Console.WriteLine($"| wall until every file ingested | {report.IngestedAfter.TotalSeconds:N1} s |");
        Console.WriteLine($"| wall until every operation returned | {wall:N1} s |");
        Console.WriteLine($"| CPU time (process) | {report.Cpu.TotalSeconds:N1} s |");
        Console.WriteLine($"| throughput | {scenario.TotalRows / report.IngestedAfter.TotalSeconds / 1e6:N2}M rows/s wall, {scenario.TotalRows / report.Cpu.TotalSeconds / 1e6:N2}M rows/s of CPU |");
        Console.WriteLine($"| ingest per file (taken → moved) | {Stats(ingest)} |");
        Console.WriteLine($"| per file, drop → done (queue included) | {Stats(waited)} |");
        Console.WriteLine($"| previews (all clients' locks + Preview) | {previews.Count} previews, {Stats(previews, p99: true)} |");
        Console.WriteLine($"| audience processing rounds (5 clients × 2 audiences) | {rounds.Count} rounds, {Stats(rounds)} |");
        Console.WriteLine($"| export ({report.Export?.Rows:N0} rows) | {report.ExportDuration.TotalSeconds:N2} s |");
        (string name, TimeSpan time) = Slowest(report, ingest, previews, rounds);
        Console.WriteLine($"| slowest operation | {name}: {time.TotalSeconds:N2} s |");
        Console.WriteLine($"| load average before -> after | {report.LoadBefore} -> {report.LoadAfter} |");
    }

    private static (string Name, TimeSpan Time) Slowest(LoadReport report, List<TimeSpan> ingest, List<TimeSpan> previews, List<TimeSpan> rounds)
    {
        ReceivedFile slowestFile = report.Files.MaxBy(f => f.Duration ?? TimeSpan.Zero)!;
        (string, TimeSpan)[] candidates =
        [
            ($"ingest {slowestFile.Name}", ingest.Max()),
            ("preview", previews.Count > 0 ? previews.Max() : TimeSpan.Zero),
            ("processing round", rounds.Count > 0 ? rounds.Max() : TimeSpan.Zero),
            ("export", report.ExportDuration),
        ];
        return candidates.MaxBy(c => c.Item2);
    }

    private static string Stats(List<TimeSpan> values, bool p99 = false)
    {
        if (values.Count == 0)
        {
            return "none";
        }

        List<double> sorted = [.. values.Select(v => v.TotalSeconds).Order()];
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        return $"p50 {At(0.5):N3} s{(p99 ? $", p99 {At(0.99):N3} s" : string.Empty)}, max {sorted[^1]:N3} s";
    }

    /// <summary>The sequential application of the same files must give every segment, and every preview's count, seen under load.</summary>
    private static int Verify(LoadScenario scenario, LoadReport report)
    {
        var clock = Stopwatch.StartNew();
        LoadReplay replay = scenario.Replay();
        int mismatches = 0;
        foreach ((string client, Dictionary<string, IReadOnlySet<string>> segments) in replay.Segments)
        {
            mismatches += segments.Count(s => !report.Segments[client].TryGetValue(s.Key, out IReadOnlySet<string>? seen) || !seen.SetEquals(s.Value));
            List<string> order = [.. report.Journal[client].Skip(1).Select(e => e.FileName)];
            mismatches += order.SequenceEqual(order.Order(StringComparer.Ordinal)) ? 0 : 1;
        }

        mismatches += report.Previews.Count(p => replay.Counts[p.Client][(int)p.Applied - 1][p.Expression] != p.Size);
        Console.WriteLine($"verify (sequential replay, {clock.Elapsed.TotalSeconds:N1} s): {(mismatches == 0 ? "every segment, file order and preview count matches" : $"{mismatches} mismatches")}");
        return mismatches == 0 ? 0 : 1;
    }
}
