using System.CommandLine;
using Onboarding.Watcher.Cli;

namespace Onboarding.Watcher.Tests.Operations;

/// <summary>Every command a user can run says what it does and shows an example in its --help.</summary>
public sealed class HelpAuditTests
{
    private static readonly CliContext Context = new()
    {
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        CurrentDirectory = Path.GetTempPath(),
        Variable = _ => null,
    };

    public static TheoryData<string> Commands() => [.. Leaves(OnboardCommandLine.Build(Context), "onboard").Select(c => c.Path)];

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommand_HasAShortDescriptionAndAnExample(string path)
    {
        Command command = Leaves(OnboardCommandLine.Build(Context), "onboard").Single(c => c.Path == path).Command;
        string description = command.Description ?? string.Empty;

        string summary = description.Split('\n')[0];
        Assert.False(string.IsNullOrWhiteSpace(summary), $"{path} has no description");
        Assert.True(summary.Length <= 200, $"{path}: the first line of the description should be short ({summary.Length} characters)");
        int example = description.IndexOf("Example: ", StringComparison.Ordinal);
        Assert.True(example >= 0, $"{path} has no 'Example:' in its description");
        Assert.Contains(path, description[example..], StringComparison.Ordinal);
        Assert.All(command.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{path} {o.Name} has no description"));
        Assert.All(command.Arguments, a => Assert.False(string.IsNullOrWhiteSpace(a.Description), $"{path} <{a.Name}> has no description"));
    }

    [Fact]
    public void TheTreeHasTheCommandsOperatorsUse()
    {
        string[] paths = [.. Leaves(OnboardCommandLine.Build(Context), "onboard").Select(c => c.Path)];

        Assert.Contains("onboard status", paths);
        Assert.Contains("onboard watch", paths);
        Assert.Contains("onboard audience create", paths);
    }

    [Fact]
    public void Version_PrintsTheVersion()
    {
        (int exit, string output, _) = OnboardProcess.Run("--version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path) =>
        command.Subcommands.Count == 0
            ? [(path, command)]
            : command.Subcommands.SelectMany(sub => Leaves(sub, $"{path} {sub.Name}"));
}
