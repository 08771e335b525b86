using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Hosting;

public sealed class WatcherStatusTests
{
    [Fact]
    public void Text_FollowsTheReceivedFiles_AndKeepsTheLastError()
    {
        var status = new WatcherStatus();
        int changes = 0;
        status.Changed += () => changes++;

        status.Watching("/srv/inbox");
        Assert.Equal("inbox: watching /srv/inbox", status.Text);

        status.OnFileChanged(File("1", "a.csv", ReceivedFileState.Processing));
        Assert.Equal("inbox: ingesting a.csv (acme)", status.Text);
        status.OnFileChanged(File("2", "b.csv", ReceivedFileState.Processing));
        Assert.Equal("inbox: ingesting 2 files", status.Text);

        status.OnFileChanged(File("1", "a.csv", ReceivedFileState.Processed));
        status.OnFileChanged(File("2", "b.csv", ReceivedFileState.Failed) with { Reason = "no rows" });
        Assert.Equal("inbox: watching /srv/inbox  ·  last error: b.csv: no rows", status.Text);
        Assert.Equal(5, changes);
    }

    private static ReceivedFile File(string id, string name, ReceivedFileState state) => new()
    {
        Id = id,
        Name = name,
        Client = "acme",
        Mode = IngestionMode.Delta,
        Source = "local:/srv/inbox",
        Received = DateTimeOffset.UnixEpoch,
        State = state,
        Path = "/srv/inbox/" + name,
    };
}
