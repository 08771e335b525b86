using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;

namespace Onboarding.Engine.Tests.Inbox;

public sealed class InboxScannerTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new();

    private string Inbox => _folder.Path;

    [Fact]
    public void SlowlyWrittenFile_IsNotTakenUntilItsSizeAndTimeSettle()
    {
        InboxScanner scanner = CreateSut();
        string path = Path.Combine(Inbox, "slow.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.AutoFlush = true;
            writer.WriteLine("ID Type,ID,Add,Remove");
            scanner.Observe(path);
            for (int chunk = 0; chunk < 8; chunk++)
            {
                // Each step is more than half the settle period; the whole write takes far longer than it.
                _time.Advance(TimeSpan.FromSeconds(3));
                writer.WriteLine($"HEMSHA2,{new string('a', 64)},G=S{chunk},");
                Assert.Empty(scanner.Poll());
            }
        }

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(scanner.Poll()); // the last write was seen 3 s ago, less than the settle period
        _time.Advance(TimeSpan.FromSeconds(3));
        InboxFile taken = Assert.Single(scanner.Poll());
        Assert.Equal(path, taken.Path);
        Assert.Empty(scanner.Poll());
    }

    [Fact]
    public void FileRenamedIntoTheInbox_IsTakenAtOnce()
    {
        InboxScanner scanner = CreateSut();
        string part = Path.Combine(Inbox, "x.csv.part");
        File.WriteAllText(part, "ID Type,ID,Add,Remove\n");
        scanner.Observe(part);
        Assert.Equal(0, scanner.PendingCount); // .part files are ignored

        string final = Path.Combine(Inbox, "x.csv");
        File.Move(part, final);
        InboxFile? taken = scanner.Renamed(final);

        Assert.NotNull(taken);
        Assert.Equal(final, taken.Path);
        Assert.Empty(scanner.Poll());
    }

    [Fact]
    public void FileRenamedIn_WaitsBehindAnEarlierFileOfItsClientStillSettling_OtherClientsDoNot()
    {
        // Found waiting by the rescan at a (re)start, so it settles again before it is taken.
        string waiting = Write("a.csv");
        InboxScanner scanner = CreateSut();
        scanner.Rescan();
        _time.Advance(TimeSpan.FromSeconds(1));

        string later = Write("b.csv");
        string otherClient = Write("acme/c.csv");
        Assert.Null(scanner.Renamed(later));
        Assert.Equal(otherClient, scanner.Renamed(otherClient)?.Path);
        Assert.Empty(scanner.Poll());

        _time.Advance(Settle);
        Assert.Equal([waiting, later], scanner.Poll().Select(f => f.Path));
        Assert.Equal(0, scanner.PendingCount);
    }

    [Fact]
    public void Rescan_FindsFilesInEveryConventionFolder_InTheOrderTheyWereWritten()
    {
        string first = Write("acme/full/b.csv");
        _time.Advance(TimeSpan.FromSeconds(1));
        File.SetLastWriteTimeUtc(first, DateTime.UtcNow.AddMinutes(-2));
        string second = Write("a.csv");
        File.SetLastWriteTimeUtc(second, DateTime.UtcNow.AddMinutes(-1));
        Write("acme/.hidden.csv");
        Write("acme/upload.tmp");
        InboxScanner scanner = CreateSut();

        scanner.Rescan();
        _time.Advance(Settle);

        Assert.Equal([first, second], scanner.Poll().Select(f => f.Path));
    }

    [Theory]
    [InlineData("x.csv", "default", IngestionMode.Delta)]
    [InlineData("full/x.csv", "default", IngestionMode.Full)]
    [InlineData("static/x.csv.gz", "default", IngestionMode.Static)]
    [InlineData("acme/x.csv.pgp", "acme", IngestionMode.Delta)]
    [InlineData("acme/full/x.csv", "acme", IngestionMode.Full)]
    [InlineData("acme/static/x.csv", "acme", IngestionMode.Static)]
    public void Convention_SelectsClientAndMode(string relative, string client, IngestionMode mode)
    {
        InboxFile? file = InboxConvention.Classify(Inbox, Path.Combine(Inbox, relative));

        Assert.NotNull(file);
        Assert.Equal(client, file.Client);
        Assert.Equal(mode, file.Mode);
    }

    [Theory]
    [InlineData(".x.csv")]
    [InlineData("x.csv.part")]
    [InlineData("x.csv.tmp")]
    [InlineData("README.md")]
    [InlineData("acme/other/x.csv")]
    [InlineData(".processing/acme/delta/x.csv")]
    [InlineData("processed/2026-01-01/acme/x.csv")]
    [InlineData("failed/2026-01-01/default/x.csv")]
    [InlineData("bad name!/x.csv")]
    public void Convention_IgnoresPartialHiddenAndReservedPlaces(string relative) =>
        Assert.Null(InboxConvention.Classify(Inbox, Path.Combine(Inbox, relative)));

    [Fact]
    public void SymbolicLinks_AreNotFollowed()
    {
        string outside = _folder.File("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.csv"), "x");
        Directory.CreateDirectory(Path.Combine(Inbox, "in"));
        string inbox = Path.Combine(Inbox, "in");
        File.CreateSymbolicLink(Path.Combine(inbox, "link.csv"), Path.Combine(outside, "secret.csv"));
        Directory.CreateSymbolicLink(Path.Combine(inbox, "acme"), outside);
        var scanner = new InboxScanner(inbox, Settle, _time);

        scanner.Rescan();
        scanner.Observe(Path.Combine(inbox, "acme", "secret.csv"));
        _time.Advance(Settle);

        Assert.Empty(scanner.Poll());
        Assert.Null(scanner.Renamed(Path.Combine(inbox, "link.csv")));
    }

    private InboxScanner CreateSut() => new(Inbox, Settle, _time);

    private string Write(string relative)
    {
        string path = Path.Combine(Inbox, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "ID Type,ID,Add,Remove\n");
        return path;
    }

    public void Dispose() => _folder.Dispose();
}
