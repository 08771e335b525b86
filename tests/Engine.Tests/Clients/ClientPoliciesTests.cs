using Onboarding.Engine.Clients;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Clients;

/// <summary>Each client's files are held to its own thresholds; a client without any gets the defaults.</summary>
public sealed class ClientPoliciesTests : IDisposable
{
    private static readonly ClientPolicies Policies = new(
        new ClientPolicy { Ingestion = new IngestionPolicy { MaxRejectedShare = 0.01, MaxRefreshShrink = 0.5, EmptyingGuardMinimumSize = 1000 } },
        new Dictionary<string, ClientPolicy>
        {
            ["acme"] = new() { Ingestion = new IngestionPolicy { MaxRejectedShare = 0.5, MaxRefreshShrink = 0.2, EmptyingGuardMinimumSize = 2 } },
        });

    private readonly IngestionHarness _h = new();

    [Fact]
    public void For_AClientWithoutItsOwn_GetsTheDefault_NamesMatchRegardlessOfCase()
    {
        Assert.Same(Policies.Default, Policies.For("default"));
        Assert.Equal(0.2, Policies.For("acme").Ingestion.MaxRefreshShrink);
        Assert.Equal(0.2, Policies.For("ACME").Ingestion.MaxRefreshShrink);
    }

    [Fact]
    public void AnInvalidClientName_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClientPolicies(clients: new Dictionary<string, ClientPolicy> { ["../etc"] = new() }));

        Assert.StartsWith("Client name \"../etc\" is not valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameRefresh_IsRefusedForTheStricterClient_AndAppliedForTheOther()
    {
        var service = new IngestionService(_h.Data, Policies);
        string initial = _h.WriteFile([.. Enumerable.Range(1, 10).Select(n => Row(n, "G=A"))]);
        string shrunk = _h.WriteFile([.. Enumerable.Range(1, 7).Select(n => Row(n, "G=A"))]);
        foreach (string client in new[] { "acme", "default" })
        {
            Assert.True(service.Ingest(new IngestionRequest(initial) { Client = client }).IsApplied);
        }

        IngestionResult acme = service.Ingest(new IngestionRequest(shrunk) { Client = "acme", Mode = IngestionMode.Full });
        IngestionResult other = service.Ingest(new IngestionRequest(shrunk) { Client = "default", Mode = IngestionMode.Full });

        Assert.Equal(FileOutcome.Refused, acme.Outcome);
        Assert.Contains("from 10 to 7 members (30% fewer), more than the 20% guard allows", acme.Reason, StringComparison.Ordinal);
        Assert.Equal(10, _h.Members("G", "A", "acme")!.Count);
        Assert.Equal(FileOutcome.Applied, other.Outcome);
        Assert.Equal(7, _h.Members("G", "A")!.Count);
    }

    [Fact]
    public void TheSameBadRows_AreToleratedForTheLenientClient_AndRefuseTheFileForTheOther()
    {
        var service = new IngestionService(_h.Data, Policies);
        string file = _h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A"), "HEMSHA2,not-a-hash,G=A,");

        IngestionResult acme = service.Ingest(new IngestionRequest(file) { Client = "acme" });
        IngestionResult other = service.Ingest(new IngestionRequest(file) { Client = "default" });

        Assert.Equal((FileOutcome.Applied, 1L), (acme.Outcome, acme.RowsRejected));
        Assert.Equal(People(1, 2, 3), _h.Members("G", "A", "acme"));
        Assert.Equal(FileOutcome.Refused, other.Outcome);
        Assert.Contains("above the 1% limit", other.Reason, StringComparison.Ordinal);
        Assert.Null(_h.Members("G", "A"));
    }

    [Fact]
    public void TheEmptyingGuard_FollowsTheClientsOwnMinimumSize()
    {
        var service = new IngestionService(_h.Data, Policies);
        string two = _h.WriteFile(Row(1, "G=A"), Row(2, "G=A"));
        string wipe = _h.WriteFile(Row(1, remove: "G=A"), Row(2, remove: "G=A"));
        foreach (string client in new[] { "acme", "default" })
        {
            service.Ingest(new IngestionRequest(two) { Client = client });
        }

        Assert.Equal(FileOutcome.Refused, service.Ingest(new IngestionRequest(wipe) { Client = "acme" }).Outcome);
        Assert.Equal(FileOutcome.Applied, service.Ingest(new IngestionRequest(wipe) { Client = "default" }).Outcome);
    }

    public void Dispose() => _h.Dispose();
}
