using System.CommandLine;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary>Options shared by every command, and how they resolve.</summary>
internal static class CommonOptions
{
    public const string DataVariable = "ONBOARD_DATA";

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

    /// <summary>The data folder's full path, resolved against the command's working directory and environment.</summary>
    public static string DataFolderPath(ParseResult result)
    {
        CliContext context = result.Context();
        return context.FullPath(
            result.GetValue(Data)
            ?? (context.Variable(DataVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : "data"));
    }
}
