using System.Globalization;
using Onboarding.Engine.Ingestion;

namespace Onboarding.Tui.Inbox;

/// <summary>What the inbox ingestion is doing, for the status bar. Raised from background threads.</summary>
internal sealed class InboxActivity
{
    private readonly Lock _lock = new();
    private string _state = "inbox: starting";

    /// <summary>The state text changed (e.g. "inbox: ingesting x.csv (12,000 rows)").</summary>
    public event Action<string>? StateChanged;

    /// <summary>A file was ingested (applied, refused or duplicate): its client's data changed.</summary>
    public event Action<IngestionResult>? FileIngested;

    public string State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    public void Set(string state)
    {
        lock (_lock)
        {
            _state = state;
        }

        StateChanged?.Invoke(state);
    }

    public void Ingesting(InboxFile file, long rows) =>
        Set(string.Create(CultureInfo.InvariantCulture, $"inbox: ingesting {file.Name} ({rows:N0} rows)"));

    public void Ingested(IngestionResult result) => FileIngested?.Invoke(result);
}
