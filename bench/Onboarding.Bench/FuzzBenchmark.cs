using System.Diagnostics;
using Onboarding.Testing.Fuzzing;

namespace Onboarding.Bench;

/// <summary>
/// The unit tests' fuzz campaigns with a longer budget, run by hand:
/// <c>fuzz [parser|roaring|all] [--cases N] [--seed S] [--seeds K] [--quick]</c>. Every case is reproducible from its
/// seed and index; a failure found here becomes a regression test.
/// </summary>
internal sealed class FuzzBenchmark : IBenchmark
{
    public string Name => "fuzz";

    public string Description => "seeded fuzz campaigns on the row parser and the Roaring deserializer (counts, failures, hangs)";

    public Task<int> RunAsync(string[] args)
    {
        string target = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
        long cases = BenchArguments.Number(args, "--cases", args.Contains("--quick") ? 2_000 : 200_000);
        int firstSeed = (int)BenchArguments.Number(args, "--seed", 1000);
        int seeds = (int)BenchArguments.Number(args, "--seeds", 4);
        byte[][] roaringSeeds = [.. RoaringFuzzer.GeneratedSeeds()];
        var reports = new List<FuzzReport>();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            if (target is "parser" or "all")
            {
                reports.Add(FuzzCampaign.Run("parser", seed, cases, TimeSpan.FromHours(2), OnboardingFileFuzzer.Generate, OnboardingFileFuzzer.Check));
                Console.WriteLine(reports[^1]);
            }

            if (target is "roaring" or "all")
            {
                long index = 0;
                reports.Add(FuzzCampaign.Run("roaring", seed, cases, TimeSpan.FromHours(2), r => RoaringFuzzer.Mutate(r, roaringSeeds),
                    bytes => RoaringFuzzer.Check(bytes, useStream: (++index & 1) == 1)));
                Console.WriteLine(reports[^1]);
            }
        }

        foreach (FuzzReport report in reports.Where(r => r.Failures.Count > 0 || r.Hang is not null))
        {
            Console.WriteLine($"{report.Target} seed {report.Seed}: {report.Hang}");
            report.Failures.ToList().ForEach(f => Console.WriteLine("  " + f));
        }

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine($"total: {reports.Sum(r => r.Cases):N0} cases, {reports.Sum(r => r.Failures.Count)} failures, {reports.Count(r => r.Hang is not null)} hangs; wall {wall.Elapsed.TotalSeconds:N1} s, CPU {cpu.TotalSeconds:N1} s");
        return Task.FromResult(reports.All(r => r.Failures.Count == 0 && r.Hang is null) ? 0 : 1);
    }
}
