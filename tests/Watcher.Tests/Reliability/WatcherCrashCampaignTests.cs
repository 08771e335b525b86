using System.Diagnostics;
using System.Globalization;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;
using Xunit.Abstractions;

namespace Onboarding.Watcher.Tests.Reliability;

/// <summary>
/// The crash campaign of issue #8: SIGKILLs the real <c>onboard watch</c> at random moments while files arrive in its
/// inbox, audiences are processed and exports run (on their schedule and through forwarded <c>onboard export run</c>),
/// restarts it, and checks the data folder after every kill as the next start finds it: every segment is its state
/// after a whole prefix of the stream, no ordinal changed, every dropped file is waiting, in progress or processed
/// exactly once, audiences are their definitions over some committed prefix, the runs a kill interrupted are closed
/// by the restart, and every file under a final name at the destination is whole. Finally the watcher runs without
/// kills and everything must match the whole stream. ONBOARD_CRASH_CAMPAIGN_KILLS sets the number of kills (default
/// 12); ONBOARD_CRASH_CAMPAIGN_SEED the random moments (default: a new seed, logged); ONBOARD_CRASH_CAMPAIGN_LOG a file
/// the progress is appended to.
/// </summary>
public sealed class WatcherCrashCampaignTests(ITestOutputHelper output) : IDisposable
{
    private const string Client = DataFolder.DefaultClient;
    private const string FullExport = "gold-silver-full";
    private const string DeltaExport = "golf-delta";
    private const string FullHeader = "id_type,id";
    private const string DeltaHeader = "ID Type,ID,Add,Remove";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly TempFolder _folder = new();
    private readonly Dictionary<uint, string> _ordinals = [];
    private readonly HashSet<long> _mustBeClosed = [];
    private readonly Dictionary<string, (long Length, DateTime Written, List<string> Lines)> _parsed = new(StringComparer.Ordinal);
    private CampaignStream _stream = null!;
    private int _dropped;
    private int _runsChecked;
    private int _filesChecked;
    private int _recovered;
    private int _orphans;

    private string Data => _folder.File("data");

    private string Inbox => _folder.File("inbox");

    private string Out => _folder.File("out");

    [Fact]
    public void KilledAtRandomMoments_WhileIngestingProcessingAndExporting_EveryRestartFindsACommittedPrefix()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("ONBOARD_CRASH_CAMPAIGN_KILLS"), out int configured) ? configured : 12;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("ONBOARD_CRASH_CAMPAIGN_SEED"), out int given) ? given : Environment.TickCount;
        _stream = new CampaignStream(Math.Max(10, kills / 2));
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        Log($"seed {seed}, {kills} kills, {_stream.Files.Count} files of the stream");
        Setup();

        int applied = 0;
        int commands = 0;
        (int ingestingKills, int exportingKills, int writingKills) = (0, 0, 0);
        for (int kill = 1; kill <= kills; kill++)
        {
            // Files arrive over the first 80% of the campaign, some while the watcher is down.
            int target = Math.Min(_stream.Files.Count, (int)Math.Ceiling(_stream.Files.Count * kill / (kills * 0.8)));
            if (_dropped < target && random.Next(4) == 0)
            {
                Drop();
            }

            using (WatchProcess watcher = WatchProcess.Start(Data, Inbox))
            {
                WaitForRecovery(watcher);
                commands += RunUntilKilled(watcher, random, TimeSpan.FromMilliseconds(random.Next(100, 3000)), target);
            }

            bool ingesting = _stream.Files.Take(_dropped).Any(f => Where(f) is { Kind: Place.Processing });
            bool writing = Directory.EnumerateFiles(Out, ".*.part").Any();
            applied = Verify();
            (ingestingKills, exportingKills, writingKills) = (ingestingKills + (ingesting ? 1 : 0), exportingKills + (_mustBeClosed.Count > 0 ? 1 : 0), writingKills + (writing ? 1 : 0));
            Log($"kill {kill} at {clock.Elapsed.TotalSeconds:0} s: {applied}/{_dropped} dropped files applied{(ingesting ? ", one in .processing/" : string.Empty)}, {_mustBeClosed.Count} run(s) left open{(writing ? ", a .part file" : string.Empty)}");
        }

        while (_dropped < _stream.Files.Count)
        {
            Drop();
        }

        FinishWithoutKills();
        Log(
            $"{kills} kills in {clock.Elapsed.TotalMinutes:0.0} min ({ingestingKills} with a file in .processing/, {exportingKills} with an export run open, {writingKills} with a .part file); " +
            $"{_stream.Files.Count} files; {commands} forwarded commands; {_recovered} open runs closed by restarts; " +
            $"{_runsChecked} export run checks, {_filesChecked} delivered file checks ({_orphans} of a file renamed into place by a run the kill interrupted); {_ordinals.Count} ordinals stable");
    }

    /// <summary>To the test output, and to ONBOARD_CRASH_CAMPAIGN_LOG when set (to follow a long campaign as it runs).</summary>
    private void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("ONBOARD_CRASH_CAMPAIGN_LOG") is { Length: > 0 } log)
        {
            File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss} {line}\n");
        }
    }

    /// <summary>The seed file ingested, three active audiences, a folder destination, a full export on a one-minute schedule and a paused delta export.</summary>
    private void Setup()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, InboxConvention.FullFolder));
        Directory.CreateDirectory(Out);
        using DataFolder data = DataFolder.Open(Data);
        string seed = _folder.File(_stream.Seed.Name);
        File.WriteAllText(seed, _stream.Seed.Text);
        Assert.Equal(FileOutcome.Applied, new IngestionService(data).Ingest(new IngestionRequest(seed)).Outcome);
        var audiences = new AudienceService(data, Client, actor: "campaign");
        foreach ((string name, string expression, _) in CampaignStream.Audiences)
        {
            audiences.Create(name, expression, "campaign");
            audiences.Activate(name);
        }

        var exports = new ExportService(Data, Client, time: TimeProvider.System);
        exports.AddFolderDestination("out", Out, "campaign");
        DateTime now = DateTime.UtcNow;
        exports.Create(new ExportConfiguration
        {
            Name = FullExport,
            Audience = CampaignStream.Audiences[0].Name,
            FileNameTemplate = "{export}_{yyyyMMdd_HHmmss_fff}.csv",
            Destination = "out",
            State = ExportState.Active,
            Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "* * * * *", Start = now },
            CreatedBy = "campaign",
        });
        exports.Create(new ExportConfiguration
        {
            Name = DeltaExport,
            Audience = CampaignStream.Audiences[1].Name,
            FileNameTemplate = "{export}_{yyyyMMdd_HHmmss_fff}.csv",
            Destination = "out",
            Content = ContentMode.Delta,
            Schedule = new ExportSchedule { Start = now.AddYears(1) },
            CreatedBy = "campaign",
        });
    }

    /// <summary>Drops the next file of the stream the way senders should: a hidden temporary name, then a rename into place.</summary>
    private void Drop()
    {
        StreamFile file = _stream.Files[_dropped];
        string folder = file.Full ? Path.Combine(Inbox, InboxConvention.FullFolder) : Inbox;
        string temporary = Path.Combine(folder, "." + file.Name + ".part");
        File.WriteAllText(temporary, file.Text);
        File.Move(temporary, Path.Combine(folder, file.Name));
        _dropped++;
    }

    /// <summary>
    /// After a restart, the runs the last kill left in progress must be closed by the watcher's recovery before
    /// anything else is judged (read through the export store's own file lock while the watcher runs).
    /// </summary>
    private void WaitForRecovery(WatchProcess watcher)
    {
        if (_mustBeClosed.Count == 0)
        {
            return;
        }

        var store = new ExportStore(Data, Client);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            List<ExportRun> open = [.. store.ListRuns().Where(r => _mustBeClosed.Contains(r.Id) && !r.IsFinished)];
            if (open.Count == 0)
            {
                _recovered += _mustBeClosed.Count;
                _mustBeClosed.Clear();
                return;
            }

            Assert.True(clock.Elapsed < Patience,
                $"the restarted watcher left run(s) {string.Join(", ", open.Select(r => $"{r.Id} ({r.Export}, {r.State})"))} open\n{watcher.Output}");
            Thread.Sleep(200);
        }
    }

    /// <summary>Lets the watcher work for <paramref name="wait"/> while files arrive and commands are forwarded to it, then SIGKILLs it and the commands.</summary>
    private int RunUntilKilled(WatchProcess watcher, Random random, TimeSpan wait, int target)
    {
        var moments = new List<(TimeSpan At, Action Act)>();
        for (int n = _dropped; n < target; n++)
        {
            moments.Add((wait * random.NextDouble(), Drop));
        }

        var started = new List<Process>();
        void Forward(params string[] args) => started.Add(OnboardProcess.Start(["--data", Data, .. args]));
        if (random.Next(2) == 0)
        {
            moments.Add((wait * random.NextDouble(), () => Forward("process")));
        }

        // A third of the kills aim at an export: the kill comes up to half a second after the watcher starts running it.
        bool aimAtExport = random.Next(3) == 0;
        if (aimAtExport || random.Next(2) == 0)
        {
            moments.Add((aimAtExport ? TimeSpan.Zero : wait * random.NextDouble(), () => Forward("export", "run", random.Next(2) == 0 ? DeltaExport : FullExport)));
        }

        if (random.Next(3) == 0)
        {
            moments.Add((wait * random.NextDouble(), () => Forward("export", "run", FullExport)));
        }

        var clock = Stopwatch.StartNew();
        foreach ((TimeSpan at, Action act) in moments.OrderBy(m => m.At))
        {
            Sleep(at - clock.Elapsed);
            act();
        }

        Sleep(wait - clock.Elapsed);
        if (aimAtExport)
        {
            // Half of those wait for the delivery instead, so that whole files are checked too (a loaded machine
            // takes seconds for an export, longer than most of the random waits).
            string mark = random.Next(2) == 0 ? "Running a forwarded command: onboard run" : " delivered ";
            var aim = Stopwatch.StartNew();
            while (!watcher.Output.Contains(mark, StringComparison.Ordinal) && aim.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(10);
            }

            Sleep(TimeSpan.FromMilliseconds(random.Next(0, 500)));
        }

        List<Process> finished = [.. started.Where(c => c.HasExited)];
        watcher.Kill();
        foreach (Process command in started)
        {
            if (!command.HasExited)
            {
                command.Kill(entireProcessTree: true);
            }

            command.WaitForExit();
        }

        foreach (Process command in started)
        {
            // Finished before the kill: it ran (exit 0) or failed for a reason it gave (1), never a usage error or a crash.
            Assert.True(!finished.Contains(command) || command.ExitCode is 0 or 1, $"a forwarded command exited {command.ExitCode}: {command.StandardError.ReadToEnd()}");
            command.Dispose();
        }

        return started.Count;

        static void Sleep(TimeSpan time)
        {
            if (time > TimeSpan.Zero)
            {
                Thread.Sleep(time);
            }
        }
    }

    /// <summary>No more kills: every file goes in, the audiences are processed and both exports run, then a clean stop.</summary>
    private void FinishWithoutKills()
    {
        using (WatchProcess watcher = WatchProcess.Start(Data, Inbox))
        {
            WaitForRecovery(watcher);
            WatchProcess.WaitUntil(() => _stream.Files.All(f => Where(f) is { Kind: Place.Processed }), Patience);
            Forwarded("process");
            Forwarded("export", "run", FullExport);
            Forwarded("export", "run", DeltaExport);
            watcher.Terminate();
            Assert.Equal(0, watcher.WaitForExit());
        }

        Assert.Equal(_stream.Files.Count, Verify());
        var store = new ExportStore(Data, Client);
        List<ExportRun> runs = [.. store.ListRuns()];
        Assert.All(runs, r => Assert.True(r.IsFinished, $"run {r.Id} of {r.Export} is {r.State} after a clean stop"));
        ExportRun lastFull = runs.Where(r => r.Export == FullExport && r.State == ExportRunState.Complete).MaxBy(r => r.Id)!;
        Assert.True(_stream.FinalAudiences[0].SetEquals(Rows(lastFull.FileName!)), "the last full export is not the final audience");
        Assert.True(_stream.FinalAudiences[1].SetEquals(PartnerState(runs, upTo: long.MaxValue)), "the delta exports applied in order are not the final audience");
    }

    private void Forwarded(params string[] args)
    {
        (int exit, string stdout, string error) = OnboardProcess.Run(["--data", Data, .. args]);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)} exited {exit}: {error}{stdout}");
    }

    /// <summary>Opens the data folder as the next start would and checks everything; returns how many stream files are applied.</summary>
    private int Verify()
    {
        int applied;
        using (DataFolder data = DataFolder.Open(Data))
        {
            applied = VerifyJournalAndInbox(data);
            VerifySegmentsAndOrdinals(data.Client(Client), applied);
            VerifyAudiences(data, applied);
        }

        VerifyExports(applied);
        return applied;
    }

    /// <summary>The applied files are the seed and a prefix of the stream, each once; every dropped file is in exactly one place that agrees.</summary>
    private int VerifyJournalAndInbox(DataFolder data)
    {
        List<JournalEntry> journal = [.. data.Catalog.Files(Client)];
        List<string> applied = [.. journal.Where(e => e.Outcome == FileOutcome.Applied).Select(e => e.ContentHash)];
        int count = applied.Count - 1;
        Assert.True(count >= 0 && count <= _dropped, $"{count} files applied, {_dropped} dropped");
        Assert.Equal([_stream.Seed.Hash, .. _stream.Files.Take(count).Select(f => f.Hash)], applied);
        Assert.All(journal.Where(e => e.Outcome != FileOutcome.Applied), e =>
            Assert.True(e.Outcome == FileOutcome.Duplicate && applied.Contains(e.ContentHash), $"{e.FileName}: {e.Outcome} ({e.Reason})"));

        foreach (StreamFile file in _stream.Files)
        {
            (Place kind, string path)? place = Where(file);
            if (file.Index >= _dropped)
            {
                Assert.Null(place);
                continue;
            }

            Assert.True(place is not null, $"{file.Name} was dropped and is nowhere in the inbox");
            switch (place.Value.kind)
            {
                case Place.Waiting:
                    Assert.True(file.Index >= count, $"{file.Name} is applied but still waiting in the inbox");
                    break;
                case Place.Processed:
                    Assert.True(file.Index < count, $"{file.Name} is in processed/ but not applied");
                    break;
                case Place.Processing:
                    break;
                default:
                    Assert.Fail($"{file.Name} ended in {place.Value.path}: {File.ReadAllText(place.Value.path + ".summary.json")}");
                    break;
            }
        }

        return count;
    }

    private enum Place
    {
        Waiting,
        Processing,
        Processed,
        Failed,
    }

    /// <summary>Where a stream file is now; fails if it is in more than one place (a copy, or a second name).</summary>
    private (Place Kind, string Path)? Where(StreamFile file)
    {
        string stem = Path.GetFileNameWithoutExtension(file.Name);
        List<(Place, string)> found = [];
        foreach (string path in Directory.EnumerateFiles(Inbox, stem + "*", SearchOption.AllDirectories))
        {
            // The file itself, or a second copy the inbox would name x-2.csv; not its reports.
            string name = Path.GetFileName(path);
            if (name != file.Name && !(name.StartsWith(stem + "-", StringComparison.Ordinal) && name.EndsWith(".csv", StringComparison.Ordinal) && !name.EndsWith(".rejects.csv", StringComparison.Ordinal)))
            {
                continue;
            }

            string relative = Path.GetRelativePath(Inbox, path);
            Place kind = relative.Split(Path.DirectorySeparatorChar)[0] switch
            {
                ".processing" => Place.Processing,
                "processed" => Place.Processed,
                "failed" => Place.Failed,
                _ => Place.Waiting,
            };
            found.Add((kind, path));
        }

        Assert.True(found.Count <= 1, $"{file.Name} is in several places: {string.Join(", ", found.Select(f => f.Item2))}");
        return found.Count == 1 ? found[0] : null;
    }

    private void VerifySegmentsAndOrdinals(ClientStore store, int applied)
    {
        foreach ((uint member, string id) in _ordinals)
        {
            Assert.True(store.FormatMember(member) == id, $"member {member} was {id}, now {store.FormatMember(member)}");
        }

        for (int s = 0; s < CampaignStream.Segments.Length; s++)
        {
            string[] name = CampaignStream.Segments[s].Split('=');
            SegmentInfo segment = store.FindSegment(name[0], name[1])!;
            var ids = new List<string>();
            foreach (uint member in store.ReadMembers(segment))
            {
                string id = store.FormatMember(member);
                ids.Add(id);
                _ordinals.TryAdd(member, id);
            }

            Assert.True(SetPrint.Of(ids) == _stream.SegmentPrints[applied][s], $"{CampaignStream.Segments[s]} is not its state after {applied} files ({ids.Count} members)");
        }
    }

    /// <summary>Each audience (its last processing run) is its definition over the segments after some committed prefix.</summary>
    private void VerifyAudiences(DataFolder data, int applied)
    {
        var audiences = new AudienceService(data, Client);
        for (int a = 0; a < CampaignStream.Audiences.Length; a++)
        {
            SetPrint print = SetPrint.Of(audiences.Members(CampaignStream.Audiences[a].Name).Select(audiences.FormatMember));
            Assert.True(AudiencePrefix(a, print, applied) >= 0, $"audience {CampaignStream.Audiences[a].Name} ({print.Count} members) matches no prefix of the {applied} applied files");
        }
    }

    private int AudiencePrefix(int audience, SetPrint print, int applied)
    {
        for (int k = applied; k >= 0; k--)
        {
            if (_stream.AudiencePrints[k][audience] == print)
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>
    /// Runs: open ones are only those of the last session (closed by the next start). Destination: a temporary file
    /// only for an open run; every final name is a whole file whose IDs are the audience over a committed prefix, with
    /// the row count of its complete run; the delta files applied in order give the audience at each complete run.
    /// </summary>
    private void VerifyExports(int applied)
    {
        List<ExportRun> runs = [.. new ExportStore(Data, Client).ListRuns()];
        foreach (ExportRun run in runs.Where(r => !r.IsFinished))
        {
            _mustBeClosed.Add(run.Id);
        }

        foreach (string path in Directory.EnumerateFiles(Out))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.'))
            {
                Assert.True(runs.Exists(r => r.TemporaryName == name && !r.IsFinished), $"{name} is left at the destination although no run is in progress");
                continue;
            }

            List<ExportRun> named = [.. runs.Where(r => r.FileName == name)];
            Assert.True(named.Count > 0, $"{name} at the destination belongs to no run");
            ExportRun run = named.Where(r => r.State == ExportRunState.Complete).MaxBy(r => r.Id) ?? named.MaxBy(r => r.Id)!;
            List<string> lines = Lines(name);
            _filesChecked++;
            if (run.State == ExportRunState.Complete)
            {
                Assert.True(lines.Count == run.Rows + 1, $"{name}: {lines.Count - 1} rows, its run {run.Id} says {run.Rows}");
            }
            else
            {
                // Renamed into place just before the kill, which came before the run could say so.
                Assert.True(named.Exists(r => !r.IsFinished || r.Error?.StartsWith("interrupted", StringComparison.Ordinal) == true), $"{name} is delivered but its run {run.Id} is {run.State}: {run.Error}");
                _orphans++;
            }

            if (run.Export == FullExport)
            {
                Assert.Equal(FullHeader, lines[0]);
                Assert.True(AudiencePrefix(0, SetPrint.Of(Rows(name)), applied) >= 0, $"{name} is not {run.Audience} after any committed prefix");
            }
            else
            {
                Assert.Equal(DeltaHeader, lines[0]);
            }
        }

        foreach (ExportRun run in runs.Where(r => r.Export == DeltaExport && r.State == ExportRunState.Complete))
        {
            SetPrint partner = SetPrint.Of(PartnerState(runs, run.Id));
            Assert.True(AudiencePrefix(1, partner, applied) >= 0, $"after delta run {run.Id} the partner holds {partner.Count} IDs: not the audience after any committed prefix");
        }

        _runsChecked += runs.Count;
    }

    /// <summary>What a partner holds after applying every delta file delivered up to run <paramref name="upTo"/>, in delivery order.</summary>
    private HashSet<string> PartnerState(List<ExportRun> runs, long upTo)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (ExportRun run in runs.Where(r => r.Export == DeltaExport && r.Id <= upTo && r.FileName is not null).OrderBy(r => r.Id))
        {
            if (!File.Exists(Path.Combine(Out, run.FileName!)))
            {
                continue;
            }

            foreach (string line in Lines(run.FileName!).Skip(1))
            {
                string[] cells = line.Split(',');
                Assert.True(cells.Length == 4 && cells[0] == "HEMSHA2" && cells[1].Length == 64, $"{run.FileName}: bad row {line}");
                if (cells[2].Length > 0)
                {
                    members.Add(cells[1]);
                }
                else
                {
                    members.Remove(cells[1]);
                }
            }
        }

        return members;
    }

    /// <summary>The IDs of a full export file.</summary>
    private IEnumerable<string> Rows(string name) => Lines(name).Skip(1).Select(line =>
    {
        string[] cells = line.Split(',');
        Assert.True(cells.Length == 2 && cells[0] == "HEMSHA2" && cells[1].Length == 64, $"{name}: bad row {line}");
        return cells[1];
    });

    /// <summary>A delivered file's lines, read once (a final name is only ever replaced whole).</summary>
    private List<string> Lines(string name)
    {
        var info = new FileInfo(Path.Combine(Out, name));
        if (!_parsed.TryGetValue(name, out var cached) || cached.Length != info.Length || cached.Written != info.LastWriteTimeUtc)
        {
            string text = File.ReadAllText(info.FullName);
            Assert.True(text.EndsWith('\n'), $"{name} does not end with a whole line");
            cached = (info.Length, info.LastWriteTimeUtc, [.. text.TrimEnd('\n').Split('\n')]);
            _parsed[name] = cached;
        }

        return cached.Lines;
    }

    public void Dispose() => _folder.Dispose();
}
