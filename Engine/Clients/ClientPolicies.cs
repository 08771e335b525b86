using Onboarding.Engine.Exports;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Clients;

/// <summary>The thresholds one client's files and exports are held to.</summary>
public sealed record ClientPolicy
{
    public IngestionPolicy Ingestion { get; init; } = new();

    public ExportPolicy Exports { get; init; } = new();
}

/// <summary>
/// Every client's thresholds: the defaults, and the clients that have their own (already merged over the defaults by
/// whoever read them, e.g. the host's configuration). Client names match regardless of case, as configuration keys do.
/// </summary>
public sealed class ClientPolicies
{
    private readonly Dictionary<string, ClientPolicy> _clients;

    /// <exception cref="ArgumentException">A client name breaks the data folder's client-name rule.</exception>
    public ClientPolicies(ClientPolicy? defaults = null, IReadOnlyDictionary<string, ClientPolicy>? clients = null)
    {
        Default = defaults ?? new ClientPolicy();
        _clients = new Dictionary<string, ClientPolicy>(StringComparer.OrdinalIgnoreCase);
        foreach ((string client, ClientPolicy policy) in clients ?? new Dictionary<string, ClientPolicy>())
        {
            DataFolder.ValidateClientName(client);
            _clients.Add(client, policy);
        }
    }

    /// <summary>The same thresholds for every client.</summary>
    public static ClientPolicies Uniform(IngestionPolicy? ingestion) => new(new ClientPolicy { Ingestion = ingestion ?? new IngestionPolicy() });

    public ClientPolicy Default { get; }

    /// <summary>The clients with thresholds of their own, by name.</summary>
    public IReadOnlyDictionary<string, ClientPolicy> Clients => _clients;

    public ClientPolicy For(string client) => _clients.TryGetValue(client, out ClientPolicy? policy) ? policy : Default;
}
