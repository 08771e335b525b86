using Onboarding.Tui.Hosting;
using Onboarding.Tui.Inbox;

namespace Onboarding.Tui.Shell;

/// <summary>What every screen shares: engine access, the inbox activity and the client being looked at.</summary>
internal sealed class TuiSession(EngineAccess engine, InboxActivity inbox, string client)
{
    private string _client = client;

    public EngineAccess Engine { get; } = engine;

    public InboxActivity Inbox { get; } = inbox;

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
