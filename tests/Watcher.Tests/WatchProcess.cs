using System.Diagnostics;
using System.Text;

namespace Onboarding.Watcher.Tests;

/// <summary>A running <c>onboard watch</c>, its output collected as it comes.</summary>
internal sealed class WatchProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WatchProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static WatchProcess Start(string data, string inbox, IReadOnlyDictionary<string, string>? environment = null, params string[] extra)
    {
        Process process = OnboardProcess.Start(environment ?? new Dictionary<string, string>(), ["--data", data, "watch", "--inbox", inbox, "--settle", "0.3", "--rescan", "1", .. extra]);
        return Attach(process);
    }

    /// <summary>Collects a started <c>onboard watch</c>'s output and waits until it watches and serves commands.</summary>
    public static WatchProcess Attach(Process process)
    {
        var watcher = new WatchProcess(process);
        process.OutputDataReceived += (_, e) => watcher.Append(e.Data);
        process.ErrorDataReceived += (_, e) => watcher.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        WaitUntil(() => (watcher.Output.Contains("Watching inbox", StringComparison.Ordinal) && watcher.Output.Contains("Serving onboard commands", StringComparison.Ordinal)) || process.HasExited, TimeSpan.FromSeconds(30));
        Assert.False(process.HasExited, watcher.Output);
        return watcher;
    }

    public void Terminate() => OnboardProcess.Terminate(_process);

    /// <summary>SIGKILLs the watcher (and anything it started) and waits until it is gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public static void WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, "timed out waiting for onboard watch");
            Thread.Sleep(50);
        }
    }

    public int WaitForExit()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(40)), "onboard watch did not stop after SIGTERM");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
