using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Hosting;

public sealed class AudienceProcessingServiceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task AtTheConfiguredTime_ActiveAudiencesGetAPointForThatDate()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 21, 0, 0, TimeSpan.Zero));
        using DataFolder data = DataFolder.Open(_folder.File("data"));
        string file = _folder.File("a.csv");
        string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("x")));
        await File.WriteAllTextAsync(file, $"ID Type,ID,Add,Remove\nHEMSHA2,{id},G=A,\n");
        new IngestionService(data).Ingest(new IngestionRequest(file));
        var audiences = new AudienceService(data, "default", time: time);
        audiences.Create("A", "\"G=A\"", "test");
        audiences.Activate("A");

        var options = new AudienceProcessingOptions { At = new TimeOnly(23, 30), TimeZone = TimeZoneInfo.Utc };
        using var service = new AudienceProcessingService(data, new ClientWriteLocks(), options, time);
        await service.StartAsync(CancellationToken.None);

        // Activation already recorded today's point; the nightly run replaces it.
        DateTimeOffset activated = time.GetUtcNow();
        await AdvanceUntil(time, () => audiences.History("A")[0].ProcessedAt > activated);
        Assert.True(time.GetUtcNow() >= new DateTimeOffset(2026, 11, 23, 23, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 11, 23), audiences.History("A")[0].Date);

        await AdvanceUntil(time, () => audiences.History("A").Count >= 2);
        Assert.True(time.GetUtcNow() >= new DateTimeOffset(2026, 11, 24, 23, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 11, 24), audiences.History("A")[1].Date);
        await service.StopAsync(CancellationToken.None);
    }

    // The service computes its wait from the fake clock and then starts the delay; a single big Advance that lands
    // between the two leaves the delay armed relative to the later time. Small steps keep the run within one step
    // of its due time whatever the interleaving, and the dates are checked, not the instants.
    private static async Task AdvanceUntil(FakeTimeProvider time, Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(20);
        }

        Assert.True(condition());
    }

    public void Dispose() => _folder.Dispose();
}
