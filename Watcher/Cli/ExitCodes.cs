namespace Onboarding.Watcher.Cli;

/// <summary>Exit codes scripts rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Done (an ingested file may still have had rejected rows).</summary>
    public const int Success = 0;

    /// <summary>The work was refused: a refused or duplicate file, an unknown segment, a locked data folder.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;
}
