using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Testing;

/// <summary>
/// Issue #8's load: files from several clients renamed into a watched inbox at once while, in the same process, a
/// loop previews audiences the way the TUI's editor does on each keystroke (every client's write lock, in name
/// order, then <see cref="AudienceService.Preview"/>), the nightly audience processing runs round after round
/// (<see cref="AudienceProcessingService.RunAsync"/>), and an export runs (<see cref="ExportRunner.RunAsync"/>, as
/// "run now" does). The host is the one <c>onboard watch</c> builds (<see cref="WatcherServiceCollectionExtensions.AddOnboardingHost"/>).
/// Shared by the load test (small sizes, checks) and the <c>load</c> benchmark (large sizes, figures); this file is
/// linked into the benchmark.
/// <para>Arrival order: each client's files are renamed into its inbox folder in name order (client by client
/// within each round: <c>f00</c> of every client, then <c>f01</c>…), so the inbox must ingest them in name order.</para>
/// </summary>
internal sealed class LoadScenario(string folder)
{
    /// <summary>The preview expressions; the first two are also each client's active audiences.</summary>
    public static readonly string[] Expressions =
    [
        "\"Tier=A\" OR \"Tier=B\"",
        "\"Interest=X\" AND NOT \"Tier=C\"",
        "\"Tier=*\" AND NOT \"Interest=Z\"",
    ];

    public static readonly string[] AudienceNames = ["A or B", "X not C"];

    private static readonly string[] Tiers = ["A", "B", "C", "D", "E"];
    private static readonly string[] Interests = ["X", "Y", "Z"];

    public int Clients { get; init; } = 5;

    public int FilesPerClient { get; init; } = 10;

    public int RowsPerFile { get; init; } = 200_000;

    /// <summary>Distinct IDs each client's rows are drawn from (default: twice the rows of one file).</summary>
    public int IdsPerClient { get; init; }

    /// <summary>The pause between two previews (a typist's pace).</summary>
    public TimeSpan PreviewPause { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The pause between two rounds of audience processing.</summary>
    public TimeSpan ProcessingPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the report keeps every segment's members as ID text, to compare with <see cref="Replay"/>.</summary>
    public bool KeepMembers { get; init; } = true;

    public string DataPath => Path.Combine(folder, "data");

    public string InboxPath => Path.Combine(folder, "inbox");

    public string ExportFolder => Path.Combine(folder, "exports");

    /// <summary>The client whose audience <see cref="AudienceNames"/>[0] is exported.</summary>
    public string ExportClient => Client(0);

    public long TotalRows => (long)Clients * FilesPerClient * RowsPerFile;

    private int Pool => IdsPerClient > 0 ? IdsPerClient : 2 * RowsPerFile;

    public static string Client(int c) => $"client{c}";

    /// <summary>The name of a client's file number <paramref name="f"/>, in arrival order.</summary>
    public static string FileName(int c, int f) => string.Create(CultureInfo.InvariantCulture, $"HEMSHA2_{Client(c)}_{20260101 + f}.csv");

    /// <summary>
    /// The data folder (every client seeded with one file, its two audiences active, client 0's export to a folder)
    /// and the load's files written beside their final names as <c>.part</c> (ignored by the inbox until renamed).
    /// </summary>
    public void Prepare()
    {
        using DataFolder data = DataFolder.Open(DataPath);
        var ingestion = new IngestionService(data);
        for (int c = 0; c < Clients; c++)
        {
            string seed = Path.Combine(folder, $"seed-{Client(c)}.csv");
            WriteFile(seed, c, -1);
            IngestionResult seeded = ingestion.Ingest(new IngestionRequest(seed) { Client = Client(c), ReportFolder = Path.Combine(folder, "reports") });
            if (!seeded.IsApplied)
            {
                throw new InvalidOperationException($"seeding {Client(c)} failed: {seeded.Reason}");
            }

            File.Delete(seed);
            var audiences = new AudienceService(data, Client(c), actor: "load");
            for (int a = 0; a < AudienceNames.Length; a++)
            {
                audiences.Create(AudienceNames[a], Expressions[a], "load");
                audiences.Activate(AudienceNames[a]);
            }

            string clientInbox = Path.Combine(InboxPath, Client(c));
            Directory.CreateDirectory(clientInbox);
            for (int f = 0; f < FilesPerClient; f++)
            {
                WriteFile(Path.Combine(clientInbox, FileName(c, f) + ".part"), c, f);
            }
        }

        Directory.CreateDirectory(ExportFolder);
        var exports = new ExportService(DataPath, ExportClient, SecretProtector.Open(DataPath), actor: "load");
        exports.AddFolderDestination("local", ExportFolder, "load");
        exports.Create(new ExportConfiguration
        {
            Name = "load",
            Audience = AudienceNames[0],
            FileNameTemplate = "{export}_{yyyyMMdd_HHmmss}.csv",
            Destination = "local",
            CreatedBy = "load",

            // Paused, so the scheduler leaves it alone: it runs when the load asks, as "run now" does.
            Schedule = new Engine.Exports.Scheduling.ExportSchedule { Start = new DateTime(2030, 1, 1, 6, 0, 0) },
        });
    }

    /// <summary>Starts the host, drops every file at once, runs the other work until every file is done, and measures.</summary>
    public async Task<LoadReport> RunAsync(TimeSpan timeout)
    {
        var options = new WatcherOptions { DataPath = DataPath };
        options.Inbox.Path = InboxPath;
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOnboardingHost(options);
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<LocalInbox>().Watching.WaitAsync(TimeSpan.FromSeconds(30));
            var data = host.Services.GetRequiredService<DataFolder>();
            var locks = host.Services.GetRequiredService<ClientWriteLocks>();
            AudienceProcessingService processing = host.Services.GetServices<IHostedService>().OfType<AudienceProcessingService>().Single();
            return await MeasureAsync(data, locks, processing, timeout);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// What a sequential application gives: the files ingested one by one in arrival order into a fresh data folder,
    /// with every expression's count after each file and, for the exported audience, its members (ID text) then.
    /// </summary>
    public LoadReplay Replay()
    {
        using DataFolder data = DataFolder.Open(Path.Combine(folder, "replay"));
        var ingestion = new IngestionService(data);
        var replay = new LoadReplay();
        for (int c = 0; c < Clients; c++)
        {
            string client = Client(c);
            var counts = new List<long[]>();
            for (int f = -1; f < FilesPerClient; f++)
            {
                string file = Path.Combine(folder, "replay-file.csv");
                WriteFile(file, c, f);
                ingestion.Ingest(new IngestionRequest(file) { Client = client, ReportFolder = Path.Combine(folder, "reports") });
                var audiences = new AudienceService(data, client);
                counts.Add([.. Expressions.Select(e => audiences.Preview(e).Size)]);
                if (c == 0)
                {
                    replay.ExportedAudience.Add(Members(data, client, Expressions[0]));
                }
            }

            replay.Counts[client] = counts;
            ClientStore store = data.Client(client);
            replay.Segments[client] = store.ListSegments().ToDictionary(
                s => $"{s.Group}={s.Segment}",
                s => (IReadOnlySet<string>)store.ReadMembers(s).Select(store.FormatMember).ToHashSet(StringComparer.Ordinal));
        }

        return replay;
    }

    /// <summary>The members of an expression now, as ID text (a draft evaluated live, then deleted).</summary>
    private static HashSet<string> Members(DataFolder data, string client, string expression)
    {
        var audiences = new AudienceService(data, client);
        audiences.Create("replay", expression, "load");
        try
        {
            return [.. audiences.Members("replay").Select(audiences.FormatMember)];
        }
        finally
        {
            audiences.Delete("replay");
        }
    }

    private async Task<LoadReport> MeasureAsync(DataFolder data, ClientWriteLocks locks, AudienceProcessingService processing, TimeSpan timeout)
    {
        var report = new LoadReport { LoadBefore = LoadAverage() };
        using var done = new CancellationTokenSource();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int f = 0; f < FilesPerClient; f++)
        {
            for (int c = 0; c < Clients; c++)
            {
                string path = Path.Combine(InboxPath, Client(c), FileName(c, f));
                File.Move(path + ".part", path);
            }
        }

        Task previews = Task.Run(() => PreviewLoopAsync(data, locks, report, done.Token));
        Task rounds = Task.Run(() => ProcessingLoopAsync(processing, report, done.Token));
        Task export = Task.Run(() => ExportAsync(data, locks, report));
        int expected = Clients * FilesPerClient;
        while (data.Catalog.ReceivedFiles().Count(r => r.State is ReceivedFileState.Processed or ReceivedFileState.Failed) < expected)
        {
            if (clock.Elapsed > timeout)
            {
                report.TimedOut = true;
                break;
            }

            await Task.Delay(100);
        }

        report.IngestedAfter = clock.Elapsed;
        report.Files = [.. data.Catalog.ReceivedFiles()];
        await done.CancelAsync();
        Task all = Task.WhenAll(previews, rounds, export);
        if (await Task.WhenAny(all, Task.Delay(timeout)) != all)
        {
            report.TimedOut = true;
            return report;
        }

        await all;
        report.Wall = clock.Elapsed;
        report.Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        report.LoadAfter = LoadAverage();
        foreach (string client in Enumerable.Range(0, Clients).Select(Client))
        {
            report.Journal[client] = [.. data.Catalog.Files(client)];
        }

        // One more round after the last file: the audiences' sizes must then be those of the final state.
        await processing.RunAsync(Today(), CancellationToken.None);
        foreach (string client in Enumerable.Range(0, Clients).Select(Client))
        {
            var audiences = new AudienceService(data, client);
            report.FinalAudienceSizes[client] = [.. AudienceNames.Select(n => audiences.Get(n).Size ?? -1)];
            if (KeepMembers)
            {
                ClientStore store = data.Client(client);
                report.Segments[client] = store.ListSegments().ToDictionary(
                    s => $"{s.Group}={s.Segment}",
                    s => (IReadOnlySet<string>)store.ReadMembers(s).Select(store.FormatMember).ToHashSet(StringComparer.Ordinal));
            }
        }

        return report;
    }

    private async Task PreviewLoopAsync(DataFolder data, ClientWriteLocks locks, LoadReport report, CancellationToken done)
    {
        for (int i = 0; !done.IsCancellationRequested; i++)
        {
            string client = Client(i % Clients);
            int expression = i / Clients % Expressions.Length;
            long started = Stopwatch.GetTimestamp();
            var held = new List<IDisposable>();
            try
            {
                foreach (string name in data.Clients)
                {
                    held.Add(await locks.AcquireAsync(name));
                }

                long applied = data.Catalog.Files(client).Count(e => e.Outcome == FileOutcome.Applied);
                (long size, _) = new AudienceService(data, client).Preview(Expressions[expression]);
                report.Previews.Enqueue(new PreviewSample(client, expression, applied, size, Stopwatch.GetElapsedTime(started), null));
            }
            catch (Exception ex)
            {
                report.Previews.Enqueue(new PreviewSample(client, expression, -1, -1, Stopwatch.GetElapsedTime(started), ex));
            }
            finally
            {
                held.ForEach(l => l.Dispose());
            }

            await Task.Delay(PreviewPause, CancellationToken.None);
        }
    }

    private async Task ProcessingLoopAsync(AudienceProcessingService processing, LoadReport report, CancellationToken done)
    {
        do
        {
            long started = Stopwatch.GetTimestamp();
            await processing.RunAsync(Today(), CancellationToken.None);
            report.ProcessingRounds.Enqueue(Stopwatch.GetElapsedTime(started));
            await Task.Delay(ProcessingPause, CancellationToken.None);
        }
        while (!done.IsCancellationRequested);
    }

    private async Task ExportAsync(DataFolder data, ClientWriteLocks locks, LoadReport report)
    {
        long started = Stopwatch.GetTimestamp();
        var runner = new ExportRunner(data, ExportClient, SecretProtector.Open(data.Path), locks: locks);
        report.Export = await runner.RunAsync("load", DateTimeOffset.UtcNow, CancellationToken.None);
        report.ExportDuration = Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// File <paramref name="f"/> of client <paramref name="c"/> (-1: its seed). Every row adds a tier and an interest;
    /// some also remove another tier or interest, so the end state depends on the order the files are applied in.
    /// </summary>
    private void WriteFile(string path, int c, int f)
    {
        var random = new Random((c * 1_000) + f + 1);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine("ID Type,ID,Add,Remove");
        Span<byte> id = stackalloc byte[32];
        var line = new StringBuilder(160);
        for (int row = 0; row < RowsPerFile; row++)
        {
            int member = random.Next(Pool);
            SHA256.HashData(Encoding.UTF8.GetBytes($"{c}:{member}"), id);
            int tier = random.Next(Tiers.Length);
            int interest = random.Next(Interests.Length);
            line.Clear().Append("HEMSHA2,").Append(Convert.ToHexStringLower(id)).Append(",Tier=").Append(Tiers[tier]).Append(";Interest=").Append(Interests[interest]).Append(',');
            if (f >= 0 && random.Next(5) == 0)
            {
                line.Append("Tier=").Append(Tiers[(tier + 1 + random.Next(Tiers.Length - 1)) % Tiers.Length]);
            }
            else if (f >= 0 && random.Next(10) == 0)
            {
                line.Append("Interest=").Append(Interests[(interest + 1 + random.Next(Interests.Length - 1)) % Interests.Length]);
            }

            writer.WriteLine(line);
        }
    }

    private static DateOnly Today() => DateOnly.FromDateTime(DateTime.Now);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}

/// <summary>One preview during the load: which client's state it saw (load files applied, seed included) and what it returned.</summary>
internal sealed record PreviewSample(string Client, int Expression, long Applied, long Size, TimeSpan Latency, Exception? Error);

/// <summary>What happened during a <see cref="LoadScenario"/> run.</summary>
internal sealed class LoadReport
{
    public bool TimedOut { get; set; }

    public TimeSpan IngestedAfter { get; set; }

    public TimeSpan Wall { get; set; }

    public TimeSpan Cpu { get; set; }

    public string LoadBefore { get; set; } = string.Empty;

    public string LoadAfter { get; set; } = string.Empty;

    public IReadOnlyList<ReceivedFile> Files { get; set; } = [];

    public Dictionary<string, IReadOnlyList<JournalEntry>> Journal { get; } = [];

    public System.Collections.Concurrent.ConcurrentQueue<PreviewSample> Previews { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<TimeSpan> ProcessingRounds { get; } = new();

    public ExportRun? Export { get; set; }

    public TimeSpan ExportDuration { get; set; }

    public Dictionary<string, long[]> FinalAudienceSizes { get; } = [];

    public Dictionary<string, Dictionary<string, IReadOnlySet<string>>> Segments { get; } = [];
}

/// <summary>The sequential application of the same files (<see cref="LoadScenario.Replay"/>).</summary>
internal sealed class LoadReplay
{
    /// <summary>Per client, after its seed and each file (index = files applied, seed included, minus one): each expression's count.</summary>
    public Dictionary<string, List<long[]>> Counts { get; } = [];

    /// <summary>The exported audience's members (ID text) after client 0's seed and each of its files.</summary>
    public List<HashSet<string>> ExportedAudience { get; } = [];

    public Dictionary<string, Dictionary<string, IReadOnlySet<string>>> Segments { get; } = [];
}
