using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Tests.Storage;

public sealed class CatalogTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Apply_ThenReopen_KeepsSegmentsVersionsAndFilesExactly()
    {
        var completed = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);
        JournalEntry entry = Entry(1, completed, new SegmentChange(1, "Loyalty", "Gold", SegmentType.Dynamic, 1, 10, 10, 0));
        using (Catalog catalog = Catalog.Open(_folder.File("catalog.db")))
        {
            catalog.Apply("acme", entry);
        }

        using Catalog reopened = Catalog.Open(_folder.File("catalog.db"));
        SegmentInfo segment = Assert.Single(reopened.Segments("acme"));
        Assert.Equal(("Loyalty", "Gold", SegmentType.Dynamic, 1, 10L), (segment.Group, segment.Segment, segment.Type, segment.CurrentVersion, segment.Size));
        Assert.Equal(completed, segment.Created);
        Assert.Equal(completed, reopened.Versions("acme", 1).Single().Created);
        Assert.Equal(entry.Changes, reopened.Files("acme").Single().Changes);
        Assert.Equal(1, reopened.AppliedSequence("acme"));
        Assert.Empty(reopened.Segments("other"));
    }

    [Fact]
    public void Apply_SameEntryTwice_IsIdempotent()
    {
        using Catalog catalog = Catalog.Open(_folder.File("catalog.db"));
        JournalEntry entry = Entry(1, DateTimeOffset.UnixEpoch, new SegmentChange(1, "G", "S", SegmentType.Static, 1, 5, 5, 0));
        catalog.Apply("acme", entry);
        catalog.Apply("acme", entry);
        Assert.Single(catalog.Files("acme"));
        Assert.Single(catalog.Versions("acme", 1));
    }

    [Fact]
    public async Task Reads_WhileAnotherThreadWrites_NeverFail_AndSeeWholeRecords()
    {
        // What the TUI and forwarded onboard commands do while the in-process watcher records files; the first
        // writes of a fresh catalog (collections being created) are where LiteDB used to fail a concurrent read.
        for (int round = 0; round < 20; round++)
        {
            using Catalog catalog = Catalog.Open(_folder.File($"catalog{round}.db"));
            const int Files = 20;
            using var start = new Barrier(2);
            Task writer = Task.Run(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < Files; i++)
                {
                    catalog.SaveReceivedFile(Received(i));
                    catalog.Apply("acme", Entry(i + 1, DateTimeOffset.UnixEpoch, new SegmentChange(1, "G", "S", SegmentType.Dynamic, i + 1, i, 1, 0)));
                }
            });

            start.SignalAndWait();
            while (!writer.IsCompleted)
            {
                Assert.All(catalog.ReceivedFiles("acme"), r => Assert.Equal($"f{r.Id[1..]}.csv", r.Name));
                Assert.InRange(catalog.Versions("acme", 1).Count, 0, Files);
            }

            await writer;
            Assert.Equal(Files, catalog.ReceivedFiles().Count);
            Assert.Equal(Files, catalog.Versions("acme", 1).Count);
        }
    }

    private static ReceivedFile Received(int i) => new()
    {
        Id = $"r{i:000}",
        Name = $"f{i:000}.csv",
        Client = "acme",
        Mode = IngestionMode.Delta,
        Source = "local:test",
        Received = DateTimeOffset.UnixEpoch.AddSeconds(i),
        State = ReceivedFileState.Waiting,
        Path = $"/inbox/f{i:000}.csv",
    };

    private static JournalEntry Entry(long sequence, DateTimeOffset completed, params SegmentChange[] changes) => new()
    {
        Sequence = sequence,
        FileName = "f.csv",
        ContentHash = "abc",
        Mode = IngestionMode.Delta,
        Received = completed,
        Completed = completed,
        Outcome = FileOutcome.Applied,
        Changes = changes,
    };

    public void Dispose() => _folder.Dispose();
}
