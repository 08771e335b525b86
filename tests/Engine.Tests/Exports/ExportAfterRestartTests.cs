using Onboarding.Engine.Exports;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Exports.ExportHarness;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>
/// Exports in a process that has not opened the client's ID dictionary (after a restart): the IDs come from the
/// dictionary file, which is not opened for writing (it would hold every ID and its index in memory), and an
/// ingestion of the same client may open it and add IDs meanwhile.
/// </summary>
public sealed class ExportAfterRestartTests : IDisposable
{
    private readonly ExportHarness _h = new();

    private string DictionaryPath => _h.Ingestion.Data.Client(DataFolder.DefaultClient).DictionaryPath(IdType.HemSha2);

    [Fact]
    public async Task Run_FullWithEveryColumnKind_GivesTheSameFileAsBeforeTheRestart_AndLeavesTheDictionaryClosed()
    {
        _h.Export(change: e => e with
        {
            FileNameTemplate = "{export}_{HHmm}.csv",
            Format = new ExportFormat { Columns = ["id_type", "id", "audience", "export_date", "segments:Interest", "segments:Loyalty"] },
        });
        ExportRun before = await _h.Runner.RunAsync("gold-daily", new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.True(before.State == ExportRunState.Complete, before.Error);

        _h.Restart();
        ExportRun after = await _h.Runner.RunAsync("gold-daily", new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.True(after.State == ExportRunState.Complete, after.Error);
        string[] lines = File.ReadAllLines(Path.Combine(_h.OutFolder, after.FileName!));
        Assert.Equal(File.ReadAllLines(Path.Combine(_h.OutFolder, before.FileName!)), lines);
        Assert.Equal(GoldPeople + 1, lines.Length);
        Assert.Equal($"HEMSHA2,{IngestionHarness.Id(2)},Gold,2026-03-02,Golf,Gold", lines[2]);

        // Nobody in this process holds the dictionary open for writing: it can be opened (one writer at a time).
        using IdDictionary writer = IdDictionary.Open(DictionaryPath, IdType.HemSha2);
        Assert.Equal(People, writer.Count);
    }

    [Fact]
    public async Task DeltaRuns_AfterRestarts_WriteWhoEnteredAndWhoLeft()
    {
        _h.Export(change: e => e with { Content = ContentMode.Delta, FileNameTemplate = "{audience}_{yyyyMMdd_HHmmss}.csv" });
        _h.Restart();
        ExportRun first = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Assert.True(first.State == ExportRunState.Complete, first.Error);
        Assert.Equal(
            ["ID Type,ID,Add,Remove", .. IdsOf(Enumerable.Range(1, GoldPeople)).Select(id => $"HEMSHA2,{id},Audience=Gold,")],
            File.ReadAllLines(Path.Combine(_h.OutFolder, first.FileName!)));

        // People 1–10 leave Gold, 121–135 join it; processed, then the process restarts before the next run.
        _h.Ingestion.Ingest(_h.Ingestion.WriteFile([
            .. Enumerable.Range(1, 10).Select(n => IngestionHarness.Row(n, remove: "Loyalty=Gold")),
            .. Enumerable.Range(121, 15).Select(n => IngestionHarness.Row(n, add: "Loyalty=Gold")),
        ]));
        _h.Audiences.Process();
        _h.Restart();
        _h.Time.Advance(TimeSpan.FromHours(1));
        ExportRun second = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.True(second.State == ExportRunState.Complete, second.Error);
        Assert.Equal(
            [
                "ID Type,ID,Add,Remove",
                .. IdsOf(Enumerable.Range(1, 10)).Select(id => $"HEMSHA2,{id},,Audience=Gold"),
                .. IdsOf(Enumerable.Range(121, 15)).Select(id => $"HEMSHA2,{id},Audience=Gold,"),
            ],
            File.ReadAllLines(Path.Combine(_h.OutFolder, second.FileName!)));
    }

    [Fact]
    public async Task ExportToFile_DictionaryWithAnUncommittedTail_WritesTheAudience_AndTheNextWriterDropsTheTail()
    {
        _h.Restart();
        // A crash after an ingestion wrote new records, before it committed them.
        using (IdDictionary crashed = IdDictionary.Open(DictionaryPath, IdType.HemSha2))
        {
            for (int n = 0; n < 50; n++)
            {
                crashed.GetOrAdd(Onboarding.Engine.CrashHost.SyntheticIds.Create(n, crashed.KeyLength));
            }

            crashed.WritePending();
            crashed.CloseWithoutFlush();
        }

        long withTail = new FileInfo(DictionaryPath).Length;

        LocalExport export = await _h.Runner.ExportToFileAsync("Gold", _h.PathOf("gold.csv"), new ExportFormat(), CancellationToken.None);

        Assert.Equal(
            ["id_type,id", .. IdsOf(Enumerable.Range(1, GoldPeople)).Select(id => "HEMSHA2," + id)],
            File.ReadAllLines(export.Path));
        Assert.Equal(withTail, new FileInfo(DictionaryPath).Length);
        IngestionResult next = _h.Ingestion.Ingest(_h.Ingestion.WriteFile(IngestionHarness.Row(1000, add: "Loyalty=Gold")));
        Assert.True(next.IsApplied, next.Outcome.ToString());
        Assert.Equal(People + 1, _h.Ingestion.Data.Client(DataFolder.DefaultClient).Dictionary(IdType.HemSha2).Count);
    }

    [Fact]
    public void IdReader_OpenWhileAnIngestionOpensTheDictionaryAndAddsIds_ReadsOnAndTheIngestionApplies()
    {
        _h.Restart();
        ClientStore store = _h.Ingestion.Data.Client(DataFolder.DefaultClient);
        using IIdReader reader = store.OpenIdReader(IdType.HemSha2);
        byte[] id = new byte[reader.KeyLength];
        reader.GetId(0, id);

        IngestionResult added = _h.Ingestion.Ingest(_h.Ingestion.WriteFile([.. Enumerable.Range(1001, 50).Select(n => IngestionHarness.Row(n, add: "Loyalty=Gold"))]));

        Assert.True(added.IsApplied, added.Outcome.ToString());
        Assert.Equal(IdsOf(Enumerable.Range(1, People)), [.. Enumerable.Range(0, People).Select(ordinal => Read(reader, (uint)ordinal))]);
        Assert.Equal(IngestionHarness.People([.. Enumerable.Range(1, GoldPeople), .. Enumerable.Range(1001, 50)]), _h.Ingestion.Members("Loyalty", "Gold"));
    }

    [Fact]
    public async Task ExportsAfterARestart_WhileIngestionsOfTheSameClientAddIds_EachWriteTheAudience()
    {
        _h.Restart();
        // As in the watcher: ingestion and the export's preparation take the client's write lock; the writing does not.
        var locks = new ClientWriteLocks();
        var runner = new ExportRunner(_h.Ingestion.Data, DataFolder.DefaultClient, _h.Protector, _h.Time, locks: locks);
        string[] expected = ["id_type,id", .. IdsOf(Enumerable.Range(1, GoldPeople)).Select(id => "HEMSHA2," + id)];
        var ingestions = Task.Run(() =>
        {
            var results = new List<IngestionResult>();
            for (int file = 0; file < 8; file++)
            {
                int first = 2000 + (file * 200);
                string path = _h.Ingestion.WriteFile([.. Enumerable.Range(first, 200).Select(n => IngestionHarness.Row(n, add: "Interest=Golf"))]);
                using (locks.Acquire(DataFolder.DefaultClient))
                {
                    results.Add(_h.Ingestion.Ingest(path));
                }
            }

            return results;
        });

        int exports = 0;
        while (!ingestions.IsCompleted || exports < 3)
        {
            LocalExport export = await runner.ExportToFileAsync("Gold", _h.PathOf($"gold{exports}.csv"), new ExportFormat(), CancellationToken.None);
            Assert.Equal(expected, File.ReadAllLines(export.Path));
            exports++;
        }

        Assert.All(await ingestions, r => Assert.True(r.IsApplied, r.Outcome.ToString()));
        Assert.Equal(People + 1600, _h.Ingestion.Data.Client(DataFolder.DefaultClient).Dictionary(IdType.HemSha2).Count);
        Assert.Contains(IngestionHarness.Id(3599), _h.Ingestion.Members("Interest", "Golf")!);
    }

    public void Dispose() => _h.Dispose();

    private static string Read(IIdReader reader, uint ordinal)
    {
        byte[] id = new byte[reader.KeyLength];
        reader.GetId(ordinal, id);
        return Convert.ToHexStringLower(id);
    }
}
