using Onboarding.Engine.Storage;

namespace Onboarding.Tui;

/// <summary>The command line of <c>onboarding-tui</c>.</summary>
internal sealed record TuiOptions
{
    public const string Usage = """
        onboarding-tui: the Onboarding terminal UI

        Options:
          --data DIR      the data folder (default ./data; the ONBOARD_DATA environment variable overrides the default)
          --client NAME   the client shown first (default: default)
          --inbox DIR     the inbox watched for onboarding files (default Onboard:Inbox:Path, else ./inbox; see inbox/README.md)
          --no-watch      do not watch the local and SFTP inboxes (the nightly processing still runs)
          --help          show this text

        Settings: onboard.json in the data folder and ONBOARD__... variables (docs/CONFIGURATION.md).
        """;

    public required string DataPath { get; init; }

    public string Client { get; init; } = DataFolder.DefaultClient;

    /// <summary>The inbox of <c>--inbox</c>; without it, <c>Onboard:Inbox:Path</c> of the configuration or ./inbox.</summary>
    public string? InboxPath { get; init; }

    public bool Watch { get; init; } = true;

    public bool Help { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static TuiOptions Parse(IReadOnlyList<string> args, string currentDirectory, string? dataFromEnvironment)
    {
        string? data = null, inbox = null, client = null;
        bool watch = true, help = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--data": data = Value(ref i); break;
                case "--inbox": inbox = Value(ref i); break;
                case "--client": client = Value(ref i); break;
                case "--no-watch": watch = false; break;
                case "-h" or "--help" or "-?": help = true; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }

        if (client is not null)
        {
            DataFolder.ValidateClientName(client);
        }

        return new TuiOptions
        {
            DataPath = Path.GetFullPath(data ?? (dataFromEnvironment is { Length: > 0 } env ? env : Path.Combine(currentDirectory, "data")), currentDirectory),
            InboxPath = inbox is null ? null : Path.GetFullPath(inbox, currentDirectory),
            Client = client ?? DataFolder.DefaultClient,
            Watch = watch,
            Help = help,
        };

        string Value(ref int i)
        {
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"option '{args[i]}' needs a value");
            }

            return args[++i];
        }
    }
}
