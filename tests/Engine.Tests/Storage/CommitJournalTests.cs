using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Tests.Storage;

public sealed class CommitJournalTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string JournalPath => _folder.File("commits.log");

    [Fact]
    public void Append_ThenReopen_ReturnsEntriesInOrder()
    {
        using (CommitJournal journal = CommitJournal.Open(JournalPath))
        {
            journal.Append(Entry(1));
            journal.Append(Entry(2));
        }

        using CommitJournal reopened = CommitJournal.Open(JournalPath);
        Assert.Equal([1L, 2L], reopened.Entries.Select(e => e.Sequence));
        Assert.Equal(3, reopened.NextSequence);
    }

    [Fact]
    public void Open_TornLastLineAtEveryByte_KeepsEarlierEntriesAndDropsTheTornOne()
    {
        using (CommitJournal journal = CommitJournal.Open(JournalPath))
        {
            journal.Append(Entry(1));
        }

        long committedLength = new FileInfo(JournalPath).Length;
        using (CommitJournal journal = CommitJournal.Open(JournalPath))
        {
            journal.Append(Entry(2));
        }

        byte[] full = File.ReadAllBytes(JournalPath);
        for (long cut = committedLength; cut < full.Length; cut++)
        {
            File.WriteAllBytes(JournalPath, full[..(int)cut]);
            using CommitJournal reopened = CommitJournal.Open(JournalPath);
            Assert.Equal([1L], reopened.Entries.Select(e => e.Sequence));
            Assert.Equal(committedLength, new FileInfo(JournalPath).Length);
        }
    }

    [Fact]
    public void Open_DamagedMiddleLine_RefusesWithLineNumber()
    {
        using (CommitJournal journal = CommitJournal.Open(JournalPath))
        {
            journal.Append(Entry(1));
            journal.Append(Entry(2));
        }

        byte[] bytes = File.ReadAllBytes(JournalPath);
        bytes[10] ^= 0x20;
        File.WriteAllBytes(JournalPath, bytes);

        var error = Assert.Throws<InvalidDataException>(() => CommitJournal.Open(JournalPath));
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_OutOfSequence_Throws()
    {
        using CommitJournal journal = CommitJournal.Open(JournalPath);
        Assert.Throws<InvalidOperationException>(() => journal.Append(Entry(5)));
    }

    private static JournalEntry Entry(long sequence) => new()
    {
        Sequence = sequence,
        FileName = $"file{sequence}.csv",
        ContentHash = $"hash{sequence}",
        Mode = IngestionMode.Delta,
        Received = DateTimeOffset.UnixEpoch,
        Completed = DateTimeOffset.UnixEpoch,
        Outcome = FileOutcome.Applied,
    };

    public void Dispose() => _folder.Dispose();
}
