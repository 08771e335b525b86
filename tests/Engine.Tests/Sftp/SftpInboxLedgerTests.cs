using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Tests.Sftp;

public sealed class SftpInboxLedgerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Reopen_KeepsOpenSteps_AndForgetsSettledOnes()
    {
        var a = new RemoteFileKey("a.csv", 10, 1);
        var b = new RemoteFileKey("b.csv", 20, 2);
        var c = new RemoteFileKey("c.csv", 30, 3);
        SftpInboxLedger ledger = SftpInboxLedger.Open(_folder.Path, TimeProvider.System);
        ledger.Intent(a, "/x/.a.csv.i.part");
        ledger.Intent(b, "/x/.b.csv.i.part");
        ledger.Delivered(b, "/x/b.csv", "00");
        ledger.Intent(c, "/x/.c.csv.i.part");
        ledger.Delivered(c, "/x/c.csv", "00");
        ledger.Cleaned(c);

        SftpInboxLedger reopened = SftpInboxLedger.Open(_folder.Path, TimeProvider.System);

        Assert.Equal([(a, "/x/.a.csv.i.part")], reopened.Unfinished);
        Assert.Equal([b], reopened.AwaitingCleanup);
        Assert.True(reopened.IsAwaitingCleanup(b));
        Assert.False(reopened.IsAwaitingCleanup(c));
        Assert.False(reopened.IsAwaitingCleanup(b with { Size = 21 })); // same name, other content: a new file
    }

    [Fact]
    public void TornLastLine_IsIgnored_AndLaterAppendsStillParse()
    {
        var a = new RemoteFileKey("a.csv", 10, 1);
        var b = new RemoteFileKey("b.csv", 20, 2);
        SftpInboxLedger ledger = SftpInboxLedger.Open(_folder.Path, TimeProvider.System);
        ledger.Intent(a, "/x/.a.part");
        ledger.Delivered(a, "/x/a.csv", "00");
        File.AppendAllText(Path.Combine(_folder.Path, "ledger.jsonl"), "{\"op\":\"cleaned\",\"name\":\"a.c"); // crash mid-append

        SftpInboxLedger afterCrash = SftpInboxLedger.Open(_folder.Path, TimeProvider.System);
        Assert.Equal([a], afterCrash.AwaitingCleanup); // the torn "cleaned" never happened
        afterCrash.Intent(b, "/x/.b.part");

        SftpInboxLedger again = SftpInboxLedger.Open(_folder.Path, TimeProvider.System);
        Assert.Equal([a], again.AwaitingCleanup);
        Assert.Equal([(b, "/x/.b.part")], again.Unfinished);
    }

    public void Dispose() => _folder.Dispose();
}
