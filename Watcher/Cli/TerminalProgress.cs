namespace Onboarding.Watcher.Cli;

/// <summary>A one-line "rows read" counter on stderr while a long ingestion runs on a terminal.</summary>
internal sealed class TerminalProgress(TextWriter error, bool enabled) : IProgress<long>, IDisposable
{
    private long _lastShown = Environment.TickCount64;

    public void Report(long rowsRead)
    {
        if (!enabled || Environment.TickCount64 - _lastShown < 250)
        {
            return;
        }

        _lastShown = Environment.TickCount64;
        error.Write($"\r  {rowsRead:N0} rows read…");
    }

    public void Clear()
    {
        if (enabled)
        {
            error.Write("\r" + new string(' ', 40) + "\r");
        }
    }

    public void Dispose() => Clear();
}
