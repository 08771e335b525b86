using System.CommandLine;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary>Options shared by every command, and how they resolve.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Data = new("--data")
    {
        Description = "The data folder (default ./data; the ONBOARD_DATA environment variable overrides the default).",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of a table.",
        Recursive = true,
    };

    public static Option<string> Client(string description) => new("--client")
    {
        Description = description,
        DefaultValueFactory = _ => DataFolder.DefaultClient,
    };

    public static string DataFolderPath(ParseResult result) =>
        result.GetValue(Data)
        ?? (Environment.GetEnvironmentVariable("ONBOARD_DATA") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(Environment.CurrentDirectory, "data"));
}
