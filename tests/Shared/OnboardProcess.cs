using System.Diagnostics;

namespace Onboarding.Testing;

/// <summary>Runs the real <c>onboard</c> program (the built Watcher, copied beside the tests) as a child process.</summary>
internal static class OnboardProcess
{
    public static string ProgramPath { get; } = Path.Combine(AppContext.BaseDirectory, "onboard.dll");

    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(environment, null, args);

    public static Process Start(IReadOnlyDictionary<string, string> environment, string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        start.ArgumentList.Add(ProgramPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start onboard");
    }

    /// <summary>Asks a process to stop the way a service manager does (SIGTERM).</summary>
    public static void Terminate(Process process)
    {
        using Process kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs <c>onboard</c> in <paramref name="workingDirectory"/> (null: this process's) and collects its output.</summary>
    public static (int ExitCode, string Output, string Error) RunIn(string? workingDirectory, params string[] args) =>
        RunWith(new Dictionary<string, string>(), workingDirectory, args);

    /// <summary>Runs <c>onboard</c> with extra environment variables and collects its output.</summary>
    public static (int ExitCode, string Output, string Error) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunWith(environment, null, args);

    private static (int ExitCode, string Output, string Error) RunWith(IReadOnlyDictionary<string, string> environment, string? workingDirectory, string[] args)
    {
        using Process process = Start(environment, workingDirectory, args);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"onboard {string.Join(' ', args)} did not finish in 2 minutes");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
