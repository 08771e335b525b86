using System.Diagnostics;

namespace Onboarding.Watcher.Tests.Operations;

/// <summary>deploy/onboard-completion.bash, run by a real bash against the real program.</summary>
public sealed class ShellCompletionTests : IDisposable
{
    private readonly TempFolder _bin = new();

    public ShellCompletionTests()
    {
        // Completion calls the program by the name typed, as a user's PATH would resolve it.
        string launcher = _bin.File("onboard");
        File.WriteAllText(launcher, $"#!/bin/sh\nexec dotnet '{OnboardProcess.ProgramPath}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Theory]
    [InlineData("onboard audie", "audience")]
    [InlineData("onboard audit --s", "--since")]
    [InlineData("onboard audience li", "list")]
    [InlineData("onboard audience list --so", "--sort")]
    [InlineData("onboard inbox add", "add-sftp")]
    public void CompletesCommandsAndOptions(string line, string expected) =>
        Assert.Equal([expected], Complete(line));

    [Fact]
    public void OffersEverySubcommandAfterASpace()
    {
        IReadOnlyList<string> words = Complete("onboard audience ");
        Assert.Contains("create", words);
        Assert.Contains("activate", words);
        Assert.Contains("snapshot", words);
    }

    [Fact]
    public void OffersNothingForAnUnknownWord() => Assert.Empty(Complete("onboard zzz"));

    public void Dispose() => _bin.Dispose();

    private IReadOnlyList<string> Complete(string line)
    {
        string script = SourceTree.File("deploy", "onboard-completion.bash");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            $"source '{script}'; COMP_LINE=\"$1\"; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<< \"$COMP_LINE\"; " +
            "if [[ $COMP_LINE == *' ' ]]; then COMP_WORDS+=(''); fi; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); " +
            "_onboard_complete; printf '%s\\n' \"${COMPREPLY[@]}\"");
        start.ArgumentList.Add("completion-test");
        start.ArgumentList.Add(line);
        start.Environment["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}";
        using Process bash = Process.Start(start)!;
        string output = bash.StandardOutput.ReadToEnd();
        string error = bash.StandardError.ReadToEnd();
        Assert.True(bash.WaitForExit(TimeSpan.FromMinutes(1)), "completion did not finish");
        Assert.True(bash.ExitCode == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
