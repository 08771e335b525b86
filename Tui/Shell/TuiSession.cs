using Onboarding.Tui.Hosting;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Tui.Shell;

/// <summary>What every screen shares: engine access, the watcher's state and the client being looked at.</summary>
internal sealed class TuiSession(EngineAccess engine, WatcherStatus watcher, string client)
{
    private string _client = client;

    public EngineAccess Engine { get; } = engine;

    /// <summary>The in-process watcher (inboxes, schedules); its events come from background threads.</summary>
    public WatcherStatus Watcher { get; } = watcher;

    /// <summary>Raised on the UI thread when the operator switches client.</summary>
    public event Action? ClientChanged;

    public string Client
    {
        get => _client;
        set
        {
            if (value != _client)
            {
                _client = value;
                ClientChanged?.Invoke();
            }
        }
    }
}
