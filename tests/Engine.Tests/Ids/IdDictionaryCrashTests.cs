using System.Diagnostics;
using System.Globalization;
using Onboarding.Engine.CrashHost;
using Onboarding.Engine.Ids;
using Xunit.Abstractions;
using static Onboarding.Engine.Tests.Ids.IdDictionaryTests;

namespace Onboarding.Engine.Tests.Ids;

/// <summary>
/// A real crash: a helper process adds IDs in batches, flushing after each and saying so on stdout; it is
/// SIGKILLed at random moments, and every reopen must hold every ID it reported flushed, at its ordinal.
/// </summary>
public sealed class IdDictionaryCrashTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ITestOutputHelper _output;

    public IdDictionaryCrashTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Kill_AtRandomMoments_ReopenHoldsEveryFlushedIdAtItsOrdinal()
    {
        string path = _folder.File("HEMSHA2.ids");
        int seed = Environment.TickCount;
        var random = new Random(seed);
        _output.WriteLine($"seed {seed}");
        long flushedSoFar = 0;
        for (int round = 0; round < 12; round++)
        {
            int batch = random.Next(200, 5_000);
            int delay = random.Next(0, 100);
            // Each round may add at most 250k IDs (the host stops there), to bound the test's time.
            CrashRun run = await CrashHostProcess.RunIdsAndKillAsync(path, batch, (round + 1) * 250_000L, delay);
            Assert.DoesNotContain(run.Lines, line => line.StartsWith("mismatch", StringComparison.Ordinal));
            flushedSoFar = Math.Max(flushedSoFar, run.LastFlushed);

            using IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2);
            _output.WriteLine($"round {round}: batch {batch}, killed {delay} ms after the first flush, "
                + $"last reported flushed {run.LastFlushed}, reopened with {dictionary.Count}");
            Assert.True(dictionary.Count >= flushedSoFar, $"round {round}: {dictionary.Count} IDs, but {flushedSoFar} were flushed");
            AssertHoldsRange(dictionary, dictionary.Count);
        }
    }
}

internal sealed record CrashRun(IReadOnlyList<string> Lines, long LastFlushed);

/// <summary>Starts <c>Onboarding.Engine.CrashHost</c> (built next to the tests) and kills it.</summary>
internal static class CrashHostProcess
{
    private static string HostDll => typeof(SyntheticIds).Assembly.Location;

    /// <summary>Runs mode <c>ids</c> (up to <paramref name="maxCount"/> IDs) until <paramref name="delayMs"/> after its first flush, then SIGKILLs it.</summary>
    public static async Task<CrashRun> RunIdsAndKillAsync(string path, int batch, long maxCount, int delayMs)
    {
        using Process process = Start("ids", path, "HEMSHA2", batch.ToString(CultureInfo.InvariantCulture), maxCount.ToString(CultureInfo.InvariantCulture));
        var lines = new List<string>();
        var firstFlush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> errors = process.StandardError.ReadToEndAsync();
        Task reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                if (line.StartsWith("flushed", StringComparison.Ordinal) || line.StartsWith("done", StringComparison.Ordinal))
                {
                    firstFlush.TrySetResult();
                }
            }

            firstFlush.TrySetResult();
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await firstFlush.Task.WaitAsync(timeout.Token);
        await Task.Delay(delayMs);
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        await process.WaitForExitAsync(timeout.Token);
        await reader;
        string stderr = await errors;
        if (process.ExitCode is not (0 or 137 or -1) && stderr.Length > 0)
        {
            throw new InvalidOperationException($"crash host failed ({process.ExitCode}): {stderr}");
        }

        long lastFlushed = lines
            .Where(l => l.StartsWith("flushed ", StringComparison.Ordinal))
            .Select(l => long.Parse(l["flushed ".Length..], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0)
            .Max();
        return new CrashRun(lines, lastFlushed);
    }

    /// <summary>Runs a mode that ends by itself (or kills itself); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using Process process = Start(arguments);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
    }
}
