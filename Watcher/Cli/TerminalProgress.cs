namespace Onboarding.Watcher.Cli;

/// <summary>A one-line "rows read" counter on stderr while a long ingestion runs on a terminal.</summary>
internal sealed class TerminalProgress(bool enabled) : IProgress<long>, IDisposable
{
    private long _lastShown = Environment.TickCount64;

    public void Report(long rowsRead)
    {
        if (!enabled || Environment.TickCount64 - _lastShown < 250)
        {
            return;
        }

        _lastShown = Environment.TickCount64;
        Console.Error.Write($"\r  {rowsRead:N0} rows read…");
    }

    public void Clear()
    {
        if (enabled)
        {
            Console.Error.Write("\r" + new string(' ', 40) + "\r");
        }
    }

    public void Dispose() => Clear();
}
