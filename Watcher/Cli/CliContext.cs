using System.CommandLine;
using Onboarding.Engine.Clients;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Configuration;

namespace Onboarding.Watcher.Cli;

/// <summary>
/// Where a command runs: its output, input, environment, working directory and data folder. A direct run gets the
/// process's own; a command forwarded over the control socket (<see cref="Control.ControlEndpoint"/>) gets the
/// forwarding process's streams, environment and directory, and the data folder the holding process has open.
/// </summary>
internal sealed class CliContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    public TextReader In { get; init; } = TextReader.Null;

    public required string CurrentDirectory { get; init; }

    public required Func<string, string?> Variable { get; init; }

    /// <summary>All of the environment, for the <c>ONBOARD__…</c> settings (see <see cref="OnboardConfiguration"/>).</summary>
    public Func<IEnumerable<KeyValuePair<string, string?>>> Variables { get; init; } = () => [];

    /// <summary>Whether progress may be drawn on <see cref="Error"/> (a terminal, not a pipe or a forwarded command).</summary>
    public bool Interactive { get; init; }

    /// <summary>The data folder the holding process has open; commands for that folder share it instead of opening it.</summary>
    public DataFolder? HeldFolder { get; init; }

    /// <summary>The holding process's watcher settings and activity, for <c>onboard status</c> run inside it.</summary>
    public HolderState? Holder { get; init; }

    public static CliContext ForThisProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        CurrentDirectory = Environment.CurrentDirectory,
        Variable = Environment.GetEnvironmentVariable,
        Variables = OnboardConfiguration.ProcessEnvironment,
        Interactive = !Console.IsErrorRedirected,
    };

    public string FullPath(string path) => Path.GetFullPath(path, CurrentDirectory);

    /// <summary>Opens the data folder, or lends the held one when it is the same folder (then disposing leaves it open).</summary>
    public DataFolderLease OpenDataFolder(string path)
    {
        string full = FullPath(path);
        return HeldFolder is { } held && SamePath(held.Path, full)
            ? new DataFolderLease(held, owned: false)
            : new DataFolderLease(DataFolder.Open(full), owned: true);
    }

    public static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}

/// <summary>A data folder a command uses: opened for it, or lent by the process that holds it.</summary>
internal sealed class DataFolderLease(DataFolder folder, bool owned) : IDisposable
{
    public DataFolder Folder { get; } = folder;

    public void Dispose()
    {
        if (owned)
        {
            Folder.Dispose();
        }
    }
}

/// <summary>The root command carries the context its commands run in.</summary>
internal sealed class OnboardRootCommand(CliContext context, string description) : RootCommand(description)
{
    public CliContext Context { get; } = context;
}

internal static class CliContextExtensions
{
    public static CliContext Context(this ParseResult result) => ((OnboardRootCommand)result.RootCommandResult.Command).Context;

    public static TextWriter Out(this ParseResult result) => result.Context().Out;

    public static TextWriter Error(this ParseResult result) => result.Context().Error;

    /// <summary>The data folder of <c>--data</c> / <c>ONBOARD_DATA</c> / <c>./data</c>, opened or lent (see <see cref="CliContext.OpenDataFolder"/>).</summary>
    public static DataFolderLease OpenDataFolder(this ParseResult result) => result.Context().OpenDataFolder(CommonOptions.DataFolderPath(result));

    /// <summary>The settings for the command's data folder: its <c>onboard.json</c> and the command's <c>ONBOARD__…</c> variables.</summary>
    public static OnboardConfiguration Configuration(this ParseResult result) =>
        OnboardConfiguration.Load(CommonOptions.DataFolderPath(result), result.Context().Variables());

    /// <summary>
    /// The clients' thresholds a command is held to: inside a running watcher, the watcher's own (a forwarding shell's
    /// variables must not lower them for one command); otherwise the configuration's.
    /// </summary>
    public static ClientPolicies ClientPolicies(this ParseResult result) =>
        result.Context().Holder?.Options.Clients ?? result.Configuration().Clients();
}
