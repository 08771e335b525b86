using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    private string LogPath => _folder.File(AuditLog.FileName);

    [Fact]
    public void Record_ThenRead_ReturnsEveryActionInOrder_FilteredByClientAndSince()
    {
        var log = new AuditLog(LogPath, _time);
        log.Record("ana", AuditActions.AudienceCreate, "acme", "Gold", "\"Loyalty=Gold\"");
        _time.Advance(TimeSpan.FromDays(1));
        log.Record("bo", AuditActions.Forget, "beta", "2 HEMSHA2 IDs");
        log.Record("root", AuditActions.KeysRotate, null, "k2");

        Assert.Equal(["ana/audience.create/acme/Gold", "bo/forget/beta/2 HEMSHA2 IDs", "root/keys.rotate//k2"],
            new AuditLog(LogPath).Read().Select(r => $"{r.Actor}/{r.Action}/{r.Client}/{r.Target}"));
        Assert.Equal(["Gold"], log.Read(client: "acme").Select(r => r.Target));
        Assert.Equal([AuditActions.Forget, AuditActions.KeysRotate], log.Read(since: new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)).Select(r => r.Action));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero), log.Read()[0].Time);
    }

    [Fact]
    public void TornLastLine_IsIgnoredByReads_AndCutByTheNextAppend()
    {
        var log = new AuditLog(LogPath, _time);
        log.Record("ana", AuditActions.AudienceCreate, "acme", "A");
        File.AppendAllText(LogPath, "{\"time\":\"2026-11-01T09:00:00+00:00\",\"actor\":\"cra");

        Assert.Single(log.Read());
        log.Record("ana", AuditActions.AudienceDelete, "acme", "A");
        Assert.Equal([AuditActions.AudienceCreate, AuditActions.AudienceDelete], log.Read().Select(r => r.Action));
    }

    [Fact]
    public void DamagedLineBeforeIntactOnes_IsReportedWithItsLine_NotSkipped()
    {
        var log = new AuditLog(LogPath, _time);
        log.Record("ana", AuditActions.AudienceCreate, "acme", "A");
        log.Record("ana", AuditActions.AudienceActivate, "acme", "A");
        byte[] content = File.ReadAllBytes(LogPath);
        content[10] ^= 0x20; // change one character of the first record: its checksum no longer matches
        File.WriteAllBytes(LogPath, content);

        var error = Assert.Throws<InvalidDataException>(() => log.Read());
        Assert.Contains("line 1 of the audit log is damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentAppendsFromSeparateInstances_AllLand_AsWholeLines()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(() =>
        {
            var log = new AuditLog(LogPath);
            for (int i = 0; i < 25; i++)
            {
                log.Record($"writer{writer}", AuditActions.AudienceUpdate, "acme", $"{writer}/{i}");
            }
        })));

        IReadOnlyList<AuditRecord> records = new AuditLog(LogPath).Read();
        Assert.Equal(100, records.Count);
        Assert.Equal(100, records.Select(r => r.Target).Distinct().Count());
    }

    [Fact]
    public void AudienceService_RecordsEveryChange_WithWhoWhatAndClient()
    {
        using var h = new IngestionHarness(new IngestionPolicy { MaxRejectedShare = 1 });
        h.Ingest(h.WriteFile(Row(1, "Loyalty=Gold"), Row(2, "Loyalty=Silver")), client: "acme");
        var audiences = new AudienceService(h.Data, "acme", time: _time, actor: "carla");

        audiences.Create("A", "\"Loyalty=Gold\"", "ana");
        audiences.Update("A", expression: "\"Loyalty=Silver\"");
        audiences.Activate("A");
        audiences.Snapshot("A", "A frozen", "dan");
        audiences.Deactivate("A");
        audiences.Create("B", "\"Loyalty=Gold\"", "ana");
        audiences.Delete("B");
        Assert.Throws<AudienceRuleException>(() => audiences.Delete("missing"));
        audiences.Preview("\"Loyalty=Gold\"");

        Assert.Equal(
            [
                "ana audience.create A", "carla audience.update A", "carla audience.activate A", "dan audience.snapshot A",
                "carla audience.deactivate A", "ana audience.create B", "carla audience.delete B",
            ],
            h.Data.Audit.Read(client: "acme").Select(r => $"{r.Actor} {r.Action} {r.Target}"));
        Assert.Equal("\"Loyalty=Silver\"", h.Data.Audit.Read()[1].Details);
    }

    [Fact]
    public void ForcedIngestion_IsRecorded_OrdinaryIngestionIsNot()
    {
        using var h = new IngestionHarness();
        string file = h.WriteFile(Row(1, "Loyalty=Gold"));
        h.Ingest(file);
        h.Service.Ingest(new IngestionRequest(file) { Force = true, Actor = "eve" });

        AuditRecord record = Assert.Single(h.Data.Audit.Read());
        Assert.Equal(("eve", AuditActions.IngestForced, "default", Path.GetFileName(file)), (record.Actor, record.Action, record.Client, record.Target));
    }

    public void Dispose() => _folder.Dispose();
}
