using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Inbox;

/// <summary>The local inbox hosted as <c>onboard watch</c> hosts it, with a real <see cref="FileSystemWatcher"/> on a real folder.</summary>
public sealed class LocalInboxTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private IHost? _host;

    private string Inbox => _folder.File("inbox");

    private string Data => _folder.File("data");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Inbox);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SlowlyWrittenFile_IsNotTakenEarly()
    {
        // The settle period is far longer than the pauses between writes, so a loaded CI machine that stalls a
        // pause for a second or two does not make the file look complete.
        await StartAsync(settle: TimeSpan.FromSeconds(3));
        string path = Path.Combine(Inbox, "slow.csv");
        const int Chunks = 12;
        using (var writer = new StreamWriter(path))
        {
            writer.AutoFlush = true;
            writer.WriteLine("ID Type,ID,Add,Remove");
            for (int chunk = 0; chunk < Chunks; chunk++)
            {
                await Task.Delay(200); // 2.4 s in all, far beyond what a single 200 ms pause would allow
                writer.WriteLine($"{Row(chunk)},Tier=Gold,");
                Assert.Empty(Catalog().ReceivedFiles());
            }
        }

        ReceivedFile file = await WaitForAsync(f => f.State == ReceivedFileState.Processed);
        Assert.Equal(Chunks, file.RowsRead);
    }

    [Fact]
    public async Task FileRenamedIn_IsTakenAtOnce()
    {
        string part = Path.Combine(Inbox, "acme", "x.csv.part");
        Directory.CreateDirectory(Path.GetDirectoryName(part)!); // before the start, so the folder is watched from the outset
        await StartAsync(settle: TimeSpan.FromMinutes(10));
        File.WriteAllText(part, $"ID Type,ID,Add,Remove\n{Row(1)},Tier=Gold,\n");
        var clock = Stopwatch.StartNew();
        File.Move(part, Path.Combine(Inbox, "acme", "x.csv"));

        ReceivedFile file = await WaitForAsync(f => f.State == ReceivedFileState.Processed, TimeSpan.FromSeconds(20));
        Assert.Equal(("acme", "x.csv"), (file.Client, file.Name));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task BurstOf200Files_IsAllIngestedExactlyOnce()
    {
        await StartAsync(settle: TimeSpan.FromMilliseconds(300), rescan: TimeSpan.FromSeconds(1));
        string[] clients = ["default", "acme", "beta", "gamma"];
        foreach (string client in clients.Skip(1))
        {
            Directory.CreateDirectory(Path.Combine(Inbox, client));
        }

        await Task.Delay(200);
        for (int i = 0; i < 200; i++)
        {
            string client = clients[i % clients.Length];
            string folder = client == "default" ? Inbox : Path.Combine(Inbox, client);
            File.WriteAllText(Path.Combine(folder, $"f{i:000}.csv"), $"ID Type,ID,Add,Remove\n{Row(i)},Tier=Gold,\n");
        }

        await WaitUntilAsync(() => Catalog().ReceivedFiles(state: ReceivedFileState.Processed).Count == 200, TimeSpan.FromSeconds(50));

        Assert.Equal(200, Catalog().ReceivedFiles().Count);
        foreach (string client in clients)
        {
            List<JournalEntry> entries = [.. Catalog().Files(client)];
            Assert.Equal(50, entries.Count);
            Assert.All(entries, e => Assert.Equal(FileOutcome.Applied, e.Outcome));
            Assert.Equal(50, entries.Select(e => e.FileName).Distinct().Count());
        }

        Assert.Equal(200, Directory.GetFiles(Path.Combine(Inbox, "processed"), "f*.csv", SearchOption.AllDirectories).Length);
        Assert.Empty(Directory.GetFiles(Inbox, "*.csv", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task RestartWithAFileInProcessing_IngestsItExactlyOnce()
    {
        string left = Path.Combine(Inbox, ".processing", "acme", "delta", "x.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(left)!);
        File.WriteAllText(left, $"ID Type,ID,Add,Remove\n{Row(1)},Tier=Gold,\n");

        await StartAsync(settle: TimeSpan.FromSeconds(1));
        await WaitForAsync(f => f.State == ReceivedFileState.Processed);
        await StopAsync();
        await StartAsync(settle: TimeSpan.FromSeconds(1)); // a second restart finds nothing left to do
        await Task.Delay(500);

        JournalEntry entry = Assert.Single(Catalog().Files("acme"));
        Assert.Equal(FileOutcome.Applied, entry.Outcome);
        Assert.False(File.Exists(left));
    }

    private async Task StartAsync(TimeSpan settle, TimeSpan? rescan = null)
    {
        var options = new WatcherOptions { DataPath = Data };
        options.Inbox.Path = Inbox;
        options.Inbox.SettlePeriod = settle;
        options.Inbox.RescanInterval = rescan ?? TimeSpan.FromSeconds(30);
        options.Inbox.PollInterval = TimeSpan.FromMilliseconds(100);
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOnboardingWatcher(options);
        _host = builder.Build();
        await _host.StartAsync();
        await _host.Services.GetRequiredService<LocalInbox>().Watching.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    private Catalog Catalog() => _host!.Services.GetRequiredService<DataFolder>().Catalog;

    private async Task<ReceivedFile> WaitForAsync(Func<ReceivedFile, bool> condition, TimeSpan? timeout = null)
    {
        ReceivedFile? found = null;
        await WaitUntilAsync(() => (found = Catalog().ReceivedFiles().FirstOrDefault(condition)) is not null, timeout ?? TimeSpan.FromSeconds(20));
        return found!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, "timed out waiting for the inbox");
            await Task.Delay(50);
        }
    }

    private static string Row(int person) =>
        "HEMSHA2," + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"person{person}")));

    public async Task DisposeAsync()
    {
        await StopAsync();
        _folder.Dispose();
    }
}
