using System.Diagnostics;

namespace Onboarding.Testing.Fuzzing;

/// <summary>How one fuzz input ended: accepted (read through), rejected with a documented error, or a failure to report.</summary>
public enum FuzzVerdict
{
    Accepted,
    Rejected,
    Failed,
}

/// <summary>What a campaign tried and found. <see cref="Failures"/> holds at most 10 cases, each reproducible from its seed and index.</summary>
public sealed record FuzzReport(string Target, int Seed, long Cases, long Accepted, long Rejected, IReadOnlyList<string> Failures, TimeSpan Elapsed, TimeSpan Slowest, string? Hang)
{
    public override string ToString() =>
        $"{Target} seed {Seed}: {Cases:N0} cases in {Elapsed.TotalSeconds:N1} s ({Accepted:N0} accepted, {Rejected:N0} rejected, {Failures.Count} failures{(Hang is null ? string.Empty : ", HANG")}); slowest case {Slowest.TotalMilliseconds:N0} ms";
}

/// <summary>
/// A seeded, deterministic fuzz campaign: case <c>i</c> of seed <c>s</c> is always the same input, so any failure
/// is reproduced by its seed and index. Runs on a worker thread; a case still running when the overall limit
/// is reached is reported as a hang (with its description) rather than waited for.
/// </summary>
public static class FuzzCampaign
{
    public static FuzzReport Run(string target, int seed, long cases, TimeSpan limit, Func<Random, (byte[] Input, string Description)> generate, Func<byte[], (FuzzVerdict Verdict, string? Detail)> check)
    {
        var failures = new List<string>();
        long accepted = 0, rejected = 0, done = 0;
        TimeSpan slowest = TimeSpan.Zero;
        string current = string.Empty;
        var watch = Stopwatch.StartNew();
        var worker = new Thread(() =>
        {
            for (long i = 0; i < cases && failures.Count < 10; i++)
            {
                // One generator per case: case i does not depend on what earlier cases consumed.
                var random = new Random(HashCode.Combine(seed, i));
                (byte[] input, string description) = generate(random);
                Volatile.Write(ref current, $"case {i} ({description}, {input.Length:N0} bytes)");
                long started = Stopwatch.GetTimestamp();
                (FuzzVerdict verdict, string? detail) = check(input);
                TimeSpan took = Stopwatch.GetElapsedTime(started);
                slowest = took > slowest ? took : slowest;
                switch (verdict)
                {
                    case FuzzVerdict.Accepted:
                        accepted++;
                        break;
                    case FuzzVerdict.Rejected:
                        rejected++;
                        break;
                    default:
                        failures.Add($"case {i} ({description}, {input.Length:N0} bytes, first 48: {Convert.ToHexString(input.AsSpan(0, Math.Min(48, input.Length)))}): {detail}");
                        break;
                }

                Interlocked.Increment(ref done);
            }
        })
        { IsBackground = true, Name = $"fuzz {target}" };
        worker.Start();
        string? hang = worker.Join(limit) ? null : $"no answer after {limit.TotalSeconds:N0} s at {Volatile.Read(ref current)}";
        return new FuzzReport(target, seed, Interlocked.Read(ref done), accepted, rejected, [.. failures], watch.Elapsed, slowest, hang);
    }
}
