using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Privacy;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Storage.Backup;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Storage.Backup;

public sealed class DataFolderBackupTests : IDisposable
{
    private readonly IngestionHarness _h = new(new IngestionPolicy { MaxRejectedShare = 1 });
    private readonly TempFolder _elsewhere = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    private string BackupPath => _elsewhere.File("backup");

    private string RestorePath => _elsewhere.File("restored");

    [Fact]
    public void Restore_OfABackup_HasEverySegmentAudienceSnapshotAndForgottenId()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold;Interest=Golf"), Row(2, "Loyalty=Gold"), Row(3, "Interest=Golf")), client: "acme");
        _h.Ingest(_h.WriteFile(Row(2, "Loyalty=Silver", "Loyalty=Gold"), Row(4, "Loyalty=Gold")), client: "acme");
        _h.Ingest(_h.WriteFile(Row(7, "Promo=BF")), IngestionMode.Static, client: "beta");
        var audiences = new AudienceService(_h.Data, "acme", time: _time);
        audiences.Create("Gold golfers", "\"Loyalty=Gold\" AND \"Interest=Golf\"", "ana");
        audiences.Activate("Gold golfers");
        audiences.Snapshot("Gold golfers", "Frozen", "ana");
        audiences.Create("Draft", "\"Loyalty=*\"", "bo");
        new ErasureService(_h.Data).Apply(new ErasureRequest("acme", IdType.HemSha2, [Id(3)]));

        BackupReport backup = new DataFolderBackup(_h.Data).Create(BackupPath);
        Assert.Equal(["acme", "beta"], backup.Clients);
        BackupReport restored = DataFolderBackup.Restore(BackupPath, RestorePath, "ops");

        Assert.Equal(backup.Segments, restored.Segments);
        using DataFolder copy = DataFolder.Open(RestorePath);
        foreach (string client in new[] { "acme", "beta" })
        {
            Assert.Equal(SegmentContents(_h.Data, client), SegmentContents(copy, client));
            Assert.Equal(
                _h.Data.Catalog.Files(client).Select(f => (f.Sequence, f.FileName, f.Outcome)),
                copy.Catalog.Files(client).Select(f => (f.Sequence, f.FileName, f.Outcome)));
        }

        var original = new AudienceService(_h.Data, "acme");
        var back = new AudienceService(copy, "acme");
        Assert.Equal(original.List().Select(a => a with { }), back.List());
        Assert.Equal(original.Snapshots(), back.Snapshots());
        foreach (Audience audience in original.List())
        {
            Assert.Equal(original.Members(audience.Name), back.Members(audience.Name));
            Assert.Equal(original.History(audience.Name), back.History(audience.Name));
        }

        Assert.Equal(_h.Data.Client("acme").Suppressed, copy.Client("acme").Suppressed);
        Assert.Contains(copy.Audit.Read(), r => r.Action == "restore" && r.Actor == "ops");
        Assert.Contains(copy.Audit.Read(), r => r.Action == "forget"); // the audit log travels with the backup
    }

    [Fact]
    public async Task BackupWhileAClientIngests_RestoresToTheStateAfterSomePrefixOfTheCommittedFiles()
    {
        var locks = new ClientWriteLocks();
        var states = new List<Dictionary<string, string>> { SegmentContents(_h.Data) };
        string[] files = [.. Enumerable.Range(0, 40).Select(i => _h.WriteFile(Row(i, $"G=S{i % 3}"), Row(i + 1000, "G=All"), Row(i - 1, string.Empty, $"G=S{(i - 1) % 3}")))];
        Task writer = Task.Run(() =>
        {
            foreach (string file in files)
            {
                using (locks.Acquire("default"))
                {
                    _h.Ingest(file);
                    states.Add(SegmentContents(_h.Data));
                }
            }
        });

        var backups = new List<string>();
        while (!writer.IsCompleted || backups.Count == 0)
        {
            string folder = _elsewhere.File($"backup{backups.Count}");
            new DataFolderBackup(_h.Data, locks).Create(folder);
            backups.Add(folder);
        }

        await writer;
        foreach ((string folder, int i) in backups.Select((f, i) => (f, i)))
        {
            string target = _elsewhere.File($"restored{i}");
            DataFolderBackup.Restore(folder, target);
            using DataFolder copy = DataFolder.Open(target);
            Dictionary<string, string> restored = SegmentContents(copy);
            Assert.Contains(states, state => state.Count == restored.Count && !state.Except(restored).Any());
        }
    }

    [Fact]
    public void Restore_OfADamagedBackup_IsRefusedNamingTheFile_AndRestoresNothing()
    {
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold"), Row(2, "Loyalty=Gold")));
        new DataFolderBackup(_h.Data).Create(BackupPath);
        string segment = Directory.EnumerateFiles(Path.Combine(BackupPath, "clients", "default", "segments"), "*.roar", SearchOption.AllDirectories).Single();
        byte[] content = File.ReadAllBytes(segment);
        content[^1] ^= 0xFF;
        File.WriteAllBytes(segment, content);

        var error = Assert.Throws<BackupException>(() => DataFolderBackup.Restore(BackupPath, RestorePath));

        Assert.Contains("clients/default/segments/1/1.roar in the backup", error.Message, StringComparison.Ordinal);
        Assert.Contains("is damaged", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(RestorePath));
    }

    [Fact]
    public void IncompleteOrHostileBackups_AndBadTargets_AreRefusedClearly()
    {
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold")));
        var backup = new DataFolderBackup(_h.Data);

        Assert.Contains("inside the data folder", Assert.Throws<BackupException>(() => backup.Create(Path.Combine(_h.DataPath, "bk"))).Message, StringComparison.Ordinal);
        backup.Create(BackupPath);
        Assert.Contains("is not empty", Assert.Throws<BackupException>(() => backup.Create(BackupPath)).Message, StringComparison.Ordinal);
        Assert.Contains("is not empty", Assert.Throws<BackupException>(() => DataFolderBackup.Restore(BackupPath, _h.DataPath)).Message, StringComparison.Ordinal);

        string manifest = Path.Combine(BackupPath, BackupManifest.FileName);
        string text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, text.Replace("\"clients/default/commits.log\"", "\"../../escape.log\"", StringComparison.Ordinal));
        Assert.Contains("names a file outside the backup: \"../../escape.log\"", Assert.Throws<BackupException>(() => DataFolderBackup.Verify(BackupPath)).Message, StringComparison.Ordinal);

        File.Delete(manifest);
        Assert.Contains("backup.json is missing", Assert.Throws<BackupException>(() => DataFolderBackup.Restore(BackupPath, RestorePath)).Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(RestorePath));
    }

    public void Dispose()
    {
        _h.Dispose();
        _elsewhere.Dispose();
    }
}
