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

        DateTimeOffset activated = time.GetUtcNow();
        time.Advance(TimeSpan.FromHours(3));
        await WaitUntil(() => audiences.History("A").Single().ProcessedAt > activated);
        Assert.Equal(new DateOnly(2026, 11, 23), audiences.History("A").Single().Date);

        time.Advance(TimeSpan.FromDays(1));
        await WaitUntil(() => audiences.History("A").Count == 2);
        Assert.Equal(new DateOnly(2026, 11, 24), audiences.History("A")[1].Date);
        await service.StopAsync(CancellationToken.None);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        // Generous: the run is due at once, but a loaded CI machine (other test processes in parallel) can be slow.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }

    public void Dispose() => _folder.Dispose();
}
