using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Hosting;
using Onboarding.Tui.Inbox;

namespace Onboarding.Tui.Tests;

public sealed class InboxIngestionTests
{
    [Fact]
    public void Scan_FolderSelectsClientAndMode_InNameOrderPerClient()
    {
        using var folder = new TempFolder();
        SampleInbox.Write(folder.Path);
        SampleInbox.WriteFile(folder.File("README.md"), "not a csv");
        SampleInbox.WriteFile(Path.Combine(folder.Path, "acme", "full", "HEMSHA2_acme_20250103.csv"), "ID Type,ID,Add,Remove\n");

        IReadOnlyList<InboxFile> files = InboxFiles.Scan(folder.Path);

        Assert.Equal(
            [
                ("acme", "HEMSHA2_acme_20250102.csv", IngestionMode.Delta),
                ("acme", "HEMSHA2_acme_20250103.csv", IngestionMode.Full),
                ("default", "HEMSHA2_default_20250101.csv", IngestionMode.Delta),
                ("default", "HEMSHA2_default_20250105.csv", IngestionMode.Static),
                ("default", "HEMSHA2_default_20250108.csv", IngestionMode.Delta),
            ],
            files.Select(f => (f.Client, f.Name, f.Mode)));
    }

    [Fact]
    public async Task ScanOnce_IngestsEachFileOnce_ReportsUnderTheDataFolder_LeavesTheInboxAlone()
    {
        using var folder = new TempFolder();
        string inbox = folder.File("inbox");
        SampleInbox.Write(inbox);
        string[] before = [.. Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories).Order()];
        string data = folder.File("data");
        var activity = new InboxActivity();
        var ingested = new List<IngestionResult>();
        activity.FileIngested += ingested.Add;

        using (var engine = new EngineAccess(DataFolder.Open(data)))
        {
            var ingestion = new InboxIngestion(engine, activity, new InboxOptions(inbox, Watch: true), NullLogger<InboxIngestion>.Instance);
            Assert.Equal(4, await ingestion.ScanOnceAsync(CancellationToken.None));
            Assert.Equal(0, await ingestion.ScanOnceAsync(CancellationToken.None));
            Assert.StartsWith("inbox: idle", activity.State);
        }

        Assert.All(ingested, r => Assert.Equal(FileOutcome.Applied, r.Outcome));
        Assert.Equal(before, Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories).Order());
        Assert.True(File.Exists(Path.Combine(data, "reports", "default", "HEMSHA2_default_20250101.csv.rejects.csv")));
        Assert.True(File.Exists(Path.Combine(data, "reports", "acme", "HEMSHA2_acme_20250102.csv.summary.json")));

        // A restart (a new scanner over the same data folder) does not ingest the files again.
        using (var engine = new EngineAccess(DataFolder.Open(data)))
        {
            var restarted = new InboxIngestion(engine, activity, new InboxOptions(inbox, Watch: true), NullLogger<InboxIngestion>.Instance);
            Assert.Equal(0, await restarted.ScanOnceAsync(CancellationToken.None));
            IReadOnlyList<JournalEntry> files = await engine.RunAsync(d => d.Catalog.Files("default"));
            Assert.Equal(3, files.Count);
            Assert.Equal(15, (await engine.RunAsync(d => d.Client("default").FindSegment("Loyalty", "Gold")))!.Size);
        }
    }

    [Fact]
    public void Options_DefaultsAndOverrides()
    {
        TuiOptions defaults = TuiOptions.Parse([], "/repo", null);
        Assert.Equal(("/repo/data", "/repo/inbox", "default", true), (defaults.DataPath, defaults.InboxPath, defaults.Client, defaults.Watch));
        Assert.Equal("/env/data", TuiOptions.Parse([], "/repo", "/env/data").DataPath);

        TuiOptions given = TuiOptions.Parse(["--data", "d", "--client", "acme", "--inbox", "/in", "--no-watch"], "/repo", "/env/data");
        Assert.Equal(("/repo/d", "/in", "acme", false), (given.DataPath, given.InboxPath, given.Client, given.Watch));
        Assert.Throws<ArgumentException>(() => TuiOptions.Parse(["--bogus"], "/repo", null));
        Assert.Throws<ArgumentException>(() => TuiOptions.Parse(["--client", "no/slash"], "/repo", null));
    }
}
