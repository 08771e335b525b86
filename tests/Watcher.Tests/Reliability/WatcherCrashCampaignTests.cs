using System.Diagnostics;
using System.Globalization;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Security;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;
using Xunit.Abstractions;

namespace Onboarding.Watcher.Tests.Reliability;

/// <summary>
/// The crash campaign of issue #8: SIGKILLs the real <c>onboard watch</c> at random moments while files of two clients
/// arrive in its inbox, audiences are processed and exports run (on their schedule and through forwarded
/// <c>onboard export run</c>), restarts it, and checks the data folder after every kill, client by client, as the next
/// start finds it: every segment is its state after a whole prefix of the client's stream, no ordinal changed, every
/// dropped file is waiting, in progress or processed exactly once, audiences are their definitions over some committed
/// prefix, the runs a kill interrupted are closed by the restart, no run is delivered twice, and every file under a
/// final name at the destination is whole. Client <c>default</c> exports to a folder; client <c>acme</c> exports
/// PGP-encrypted to a real sshd on loopback, and its files are decrypted with the real <c>gpg</c> before they are
/// checked. Finally the watcher runs without kills and everything must match the whole streams.
/// ONBOARD_CRASH_CAMPAIGN_KILLS sets the number of kills (default 12); ONBOARD_CRASH_CAMPAIGN_SEED the random moments
/// (default: a new seed, logged); ONBOARD_CRASH_CAMPAIGN_LOG a file the progress is appended to.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WatcherCrashCampaignTests(ITestOutputHelper output) : IDisposable
{
    private const string FullExport = "gold-silver-full";
    private const string DeltaExport = "golf-delta";
    private const string FullHeader = "id_type,id";
    private const string DeltaHeader = "ID Type,ID,Add,Remove";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly TempFolder _folder = new();
    private readonly SshdPeer _sshd = new();
    private readonly GpgHome _partner = new();
    private List<CampaignClient> _clients = [];
    private int _runsChecked;
    private int _filesChecked;
    private int _recovered;
    private int _orphans;
    private int _leftovers;

    private string Data => _folder.File("data");

    private string Inbox => _folder.File("inbox");

    [Fact]
    public void KilledAtRandomMoments_WhileTwoClientsIngestProcessAndExport_EveryRestartFindsACommittedPrefix()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("ONBOARD_CRASH_CAMPAIGN_KILLS"), out int configured) ? configured : 12;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("ONBOARD_CRASH_CAMPAIGN_SEED"), out int given) ? given : Environment.TickCount;
        int files = Math.Max(10, kills / 2);
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        Setup(files);
        Log($"seed {seed}, {kills} kills, {files} files of each client's stream");

        int commands = 0;
        (int ingestingKills, int exportingKills, int writingKills) = (0, 0, 0);
        for (int kill = 1; kill <= kills; kill++)
        {
            // Files arrive over the first 80% of the campaign, some while the watcher is down.
            int target = Math.Min(files, (int)Math.Ceiling(files * kill / (kills * 0.8)));
            foreach (CampaignClient client in _clients.Where(c => c.Dropped < target && random.Next(4) == 0))
            {
                Drop(client);
            }

            using (WatchProcess watcher = WatchProcess.Start(Data, Inbox))
            {
                WaitForRecovery(watcher);
                commands += RunUntilKilled(watcher, random, TimeSpan.FromMilliseconds(random.Next(100, 3000)), target);
            }

            bool ingesting = _clients.Exists(c => c.Stream.Files.Take(c.Dropped).Any(f => Where(f) is { Kind: Place.Processing }));
            bool writing = _clients.Exists(c => Directory.EnumerateFiles(c.Delivered, ".*.part").Any());
            int[] applied = Verify();
            bool exporting = _clients.Exists(c => c.MustBeClosed.Count > 0);
            (ingestingKills, exportingKills, writingKills) = (ingestingKills + (ingesting ? 1 : 0), exportingKills + (exporting ? 1 : 0), writingKills + (writing ? 1 : 0));
            Log($"kill {kill} at {clock.Elapsed.TotalSeconds:0} s: {string.Join(", ", _clients.Select((c, i) => $"{c.Name} {applied[i]}/{c.Dropped} dropped files applied, {c.MustBeClosed.Count} run(s) left open"))}" +
                $"{(ingesting ? "; a file in .processing/" : string.Empty)}{(writing ? "; a .part file" : string.Empty)}");
        }

        foreach (CampaignClient client in _clients)
        {
            while (client.Dropped < files)
            {
                Drop(client);
            }
        }

        FinishWithoutKills();
        Log(
            $"{kills} kills in {clock.Elapsed.TotalMinutes:0.0} min ({ingestingKills} with a file in .processing/, {exportingKills} with an export run open, {writingKills} with a .part file); " +
            $"{files} files per client; {commands} forwarded commands; {_recovered} open runs closed by restarts; {_leftovers} checks met an SFTP .part file awaiting removal by the next run; " +
            $"{_runsChecked} export run checks, {_filesChecked} delivered file checks ({_orphans} of a file renamed into place by a run the kill interrupted); " +
            $"{string.Join(", ", _clients.Select(c => $"{c.Ordinals.Count} {c.Name} ordinals stable"))}");
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

    /// <summary>
    /// For each client its seed file ingested, three active audiences, a destination, a full export on a one-minute
    /// schedule and a paused delta export: client default to a folder, client acme to the sshd, encrypted to the partner's key.
    /// </summary>
    private void Setup(int files)
    {
        string remote = _sshd.NewRemoteFolder("campaign");
        _clients =
        [
            new CampaignClient(DataFolder.DefaultClient, new CampaignStream(DataFolder.DefaultClient, files), Inbox, _folder.File("out"), Partner: null),
            new CampaignClient("acme", new CampaignStream("acme", files), Path.Combine(Inbox, "acme"), remote, _partner),
        ];
        using DataFolder data = DataFolder.Open(Data);
        var protector = SecretProtector.Open(Data);
        foreach (CampaignClient client in _clients)
        {
            Directory.CreateDirectory(Path.Combine(client.Inbox, InboxConvention.FullFolder));
            Directory.CreateDirectory(client.Delivered);
            string seed = _folder.File(client.Stream.Seed.Name);
            File.WriteAllText(seed, client.Stream.Seed.Text);
            Assert.Equal(FileOutcome.Applied, new IngestionService(data).Ingest(new IngestionRequest(seed) { Client = client.Name }).Outcome);
            var audiences = new AudienceService(data, client.Name, actor: "campaign");
            foreach ((string name, string expression, _) in CampaignStream.Audiences)
            {
                audiences.Create(name, expression, "campaign");
                audiences.Activate(name);
            }

            var exports = new ExportService(Data, client.Name, protector, TimeProvider.System);
            string? encryption = null;
            if (client.Partner is { } partner)
            {
                exports.AddSftpDestination("out", new SftpDestinationRequest(SshdPeer.Host, _sshd.Port, SshdPeer.User, remote, _sshd.HostKeyFingerprint) { Password = new Secret(SshdPeer.Password) }, "campaign");
                encryption = exports.AddEncryption("partner", [partner.ExportPublicKey()], "campaign").Name;
            }
            else
            {
                exports.AddFolderDestination("out", client.Delivered, "campaign");
            }

            string template = "{export}_{yyyyMMdd_HHmmss_fff}.csv" + (encryption is null ? string.Empty : ".pgp");
            DateTime now = DateTime.UtcNow;
            exports.Create(new ExportConfiguration
            {
                Name = FullExport,
                Audience = CampaignStream.Audiences[0].Name,
                FileNameTemplate = template,
                Destination = "out",
                Encryption = encryption,
                State = ExportState.Active,
                Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Cron, Cron = "* * * * *", Start = now },
                CreatedBy = "campaign",
            });
            exports.Create(new ExportConfiguration
            {
                Name = DeltaExport,
                Audience = CampaignStream.Audiences[1].Name,
                FileNameTemplate = template,
                Destination = "out",
                Encryption = encryption,
                Content = ContentMode.Delta,
                Schedule = new ExportSchedule { Start = now.AddYears(1) },
                CreatedBy = "campaign",
            });
        }
    }

    /// <summary>Drops the client's next file the way senders should: a hidden temporary name, then a rename into place.</summary>
    private static void Drop(CampaignClient client)
    {
        StreamFile file = client.Stream.Files[client.Dropped];
        string folder = file.Full ? Path.Combine(client.Inbox, InboxConvention.FullFolder) : client.Inbox;
        string temporary = Path.Combine(folder, "." + file.Name + ".part");
        File.WriteAllText(temporary, file.Text);
        File.Move(temporary, Path.Combine(folder, file.Name));
        client.Dropped++;
    }

    /// <summary>
    /// After a restart, the runs the last kill left in progress must be closed by the watcher's recovery before
    /// anything else is judged (read through the export store's own file lock while the watcher runs).
    /// </summary>
    private void WaitForRecovery(WatchProcess watcher)
    {
        foreach (CampaignClient client in _clients.Where(c => c.MustBeClosed.Count > 0))
        {
            var store = new ExportStore(Data, client.Name);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                List<ExportRun> open = [.. store.ListRuns().Where(r => client.MustBeClosed.Contains(r.Id) && !r.IsFinished)];
                if (open.Count == 0)
                {
                    _recovered += client.MustBeClosed.Count;
                    client.MustBeClosed.Clear();
                    break;
                }

                Assert.True(clock.Elapsed < Patience,
                    $"the restarted watcher left run(s) {string.Join(", ", open.Select(r => $"{r.Id} ({client.Name} {r.Export}, {r.State})"))} open\n{watcher.Output}");
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// Lets the watcher work for <paramref name="wait"/> while both clients' files arrive (each client's in its order,
    /// the two interleaved at random) and commands are forwarded to it, then SIGKILLs it and the commands.
    /// </summary>
    private int RunUntilKilled(WatchProcess watcher, Random random, TimeSpan wait, int target)
    {
        var moments = new List<(TimeSpan At, Action Act)>();
        foreach (CampaignClient client in _clients)
        {
            for (int n = client.Dropped; n < target; n++)
            {
                moments.Add((wait * random.NextDouble(), () => Drop(client)));
            }
        }

        var started = new List<Process>();
        void Forward(params string[] args) => started.Add(OnboardProcess.Start(["--data", Data, .. args, "--client", _clients[random.Next(_clients.Count)].Name]));
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
            string mark = random.Next(2) == 0 ? "Running a forwarded command: onboard export run" : " delivered ";
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

    /// <summary>No more kills: every file goes in, the audiences are processed and both exports of each client run, then a clean stop.</summary>
    private void FinishWithoutKills()
    {
        using (WatchProcess watcher = WatchProcess.Start(Data, Inbox))
        {
            WaitForRecovery(watcher);
            WatchProcess.WaitUntil(() => _clients.TrueForAll(c => c.Stream.Files.All(f => Where(f) is { Kind: Place.Processed })), Patience);
            foreach (CampaignClient client in _clients)
            {
                Forwarded("process", "--client", client.Name);
                Forwarded("export", "run", FullExport, "--client", client.Name);
                Forwarded("export", "run", DeltaExport, "--client", client.Name);
            }

            watcher.Terminate();
            Assert.Equal(0, watcher.WaitForExit());
        }

        Assert.Equal(_clients.Select(c => c.Stream.Files.Count), Verify());
        foreach (CampaignClient client in _clients)
        {
            List<ExportRun> runs = [.. new ExportStore(Data, client.Name).ListRuns()];
            Assert.All(runs, r => Assert.True(r.IsFinished, $"{client.Name}: run {r.Id} of {r.Export} is {r.State} after a clean stop"));
            ExportRun lastFull = runs.Where(r => r.Export == FullExport && r.State == ExportRunState.Complete).MaxBy(r => r.Id)!;
            Assert.True(client.Stream.FinalAudiences[0].SetEquals(Rows(client, lastFull.FileName!)), $"{client.Name}: the last full export is not the final audience");
            Assert.True(client.Stream.FinalAudiences[1].SetEquals(PartnerState(client, runs, upTo: long.MaxValue)), $"{client.Name}: the delta exports applied in order are not the final audience");
        }
    }

    private void Forwarded(params string[] args)
    {
        (int exit, string stdout, string error) = OnboardProcess.Run(["--data", Data, .. args]);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)} exited {exit}: {error}{stdout}");
    }

    /// <summary>Opens the data folder as the next start would and checks every client; returns how many of each client's stream files are applied.</summary>
    private int[] Verify()
    {
        int[] applied = new int[_clients.Count];
        using (DataFolder data = DataFolder.Open(Data))
        {
            for (int c = 0; c < _clients.Count; c++)
            {
                applied[c] = VerifyJournalAndInbox(data, _clients[c]);
                VerifySegmentsAndOrdinals(data.Client(_clients[c].Name), _clients[c], applied[c]);
                VerifyAudiences(data, _clients[c], applied[c]);
            }
        }

        for (int c = 0; c < _clients.Count; c++)
        {
            VerifyExports(_clients[c], applied[c]);
        }

        return applied;
    }

    /// <summary>The applied files are the seed and a prefix of the client's stream, each once; every dropped file is in exactly one place that agrees.</summary>
    private int VerifyJournalAndInbox(DataFolder data, CampaignClient client)
    {
        CampaignStream stream = client.Stream;
        List<JournalEntry> journal = [.. data.Catalog.Files(client.Name)];
        List<string> applied = [.. journal.Where(e => e.Outcome == FileOutcome.Applied).Select(e => e.ContentHash)];
        int count = applied.Count - 1;
        Assert.True(count >= 0 && count <= client.Dropped, $"{client.Name}: {count} files applied, {client.Dropped} dropped");
        Assert.Equal([stream.Seed.Hash, .. stream.Files.Take(count).Select(f => f.Hash)], applied);
        Assert.All(journal.Where(e => e.Outcome != FileOutcome.Applied), e =>
            Assert.True(e.Outcome == FileOutcome.Duplicate && applied.Contains(e.ContentHash), $"{client.Name} {e.FileName}: {e.Outcome} ({e.Reason})"));

        foreach (StreamFile file in stream.Files)
        {
            (Place kind, string path)? place = Where(file);
            if (file.Index >= client.Dropped)
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

    /// <summary>Where a stream file is now (its name carries its client); fails if it is in more than one place (a copy, or a second name).</summary>
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

    private static void VerifySegmentsAndOrdinals(ClientStore store, CampaignClient client, int applied)
    {
        foreach ((uint member, string id) in client.Ordinals)
        {
            Assert.True(store.FormatMember(member) == id, $"{client.Name}: member {member} was {id}, now {store.FormatMember(member)}");
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
                client.Ordinals.TryAdd(member, id);
            }

            Assert.True(SetPrint.Of(ids) == client.Stream.SegmentPrints[applied][s], $"{client.Name}: {CampaignStream.Segments[s]} is not its state after {applied} files ({ids.Count} members)");
        }
    }

    /// <summary>Each audience (its last processing run) is its definition over the client's segments after some committed prefix.</summary>
    private static void VerifyAudiences(DataFolder data, CampaignClient client, int applied)
    {
        var audiences = new AudienceService(data, client.Name);
        for (int a = 0; a < CampaignStream.Audiences.Length; a++)
        {
            SetPrint print = SetPrint.Of(audiences.Members(CampaignStream.Audiences[a].Name).Select(audiences.FormatMember));
            Assert.True(client.AudiencePrefix(a, print, applied) >= 0, $"{client.Name}: audience {CampaignStream.Audiences[a].Name} ({print.Count} members) matches no prefix of the {applied} applied files");
        }
    }

    /// <summary>
    /// Runs: open ones are only those of the last session (closed by the next start), and no scheduled instant is
    /// delivered by two complete runs. Destination: a temporary file only for an open run, or at the SFTP destination
    /// for an interrupted run until the export's next run removes it (recovery at start-up only reaches local folders);
    /// every final name is a whole file (for acme: a PGP message the partner's gpg decrypts) whose IDs are the audience
    /// over a committed prefix, with the row count of its complete run; the delta files applied in order give the
    /// audience at each complete run.
    /// </summary>
    private void VerifyExports(CampaignClient client, int applied)
    {
        List<ExportRun> runs = [.. new ExportStore(Data, client.Name).ListRuns()];
        foreach (ExportRun run in runs.Where(r => !r.IsFinished))
        {
            client.MustBeClosed.Add(run.Id);
        }

        foreach (IGrouping<(string, DateTimeOffset), ExportRun> twice in runs.Where(r => r.State == ExportRunState.Complete).GroupBy(r => (r.Export, r.ScheduledFor)).Where(g => g.Count() > 1))
        {
            Assert.Fail($"{client.Name}: {twice.Key.Item1} for {twice.Key.Item2:O} was delivered by runs {string.Join(", ", twice.Select(r => r.Id))}");
        }

        foreach (string path in Directory.EnumerateFiles(client.Delivered))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith('.'))
            {
                ExportRun? owner = runs.Find(r => r.TemporaryName == name);
                bool awaitsRemoval = client.Partner is not null && owner is { State: ExportRunState.Failed }
                    && !runs.Exists(r => r.Export == owner.Export && r.Id > owner.Id && r.State == ExportRunState.Complete);
                Assert.True(owner is { IsFinished: false } || awaitsRemoval, $"{client.Name}: {name} is left at the destination although no run is in progress{(owner is null ? string.Empty : $" (run {owner.Id} is {owner.State})")}");
                _leftovers += awaitsRemoval ? 1 : 0;
                continue;
            }

            List<ExportRun> named = [.. runs.Where(r => r.FileName == name)];
            Assert.True(named.Count > 0, $"{client.Name}: {name} at the destination belongs to no run");
            ExportRun run = named.Where(r => r.State == ExportRunState.Complete).MaxBy(r => r.Id) ?? named.MaxBy(r => r.Id)!;
            List<string> lines = Lines(client, name);
            _filesChecked++;
            if (run.State == ExportRunState.Complete)
            {
                Assert.True(lines.Count == run.Rows + 1, $"{client.Name}: {name}: {lines.Count - 1} rows, its run {run.Id} says {run.Rows}");
            }
            else
            {
                // Renamed into place just before the kill, which came before the run could say so.
                Assert.True(named.Exists(r => !r.IsFinished || r.Error?.StartsWith("interrupted", StringComparison.Ordinal) == true), $"{client.Name}: {name} is delivered but its run {run.Id} is {run.State}: {run.Error}");
                _orphans++;
            }

            if (run.Export == FullExport)
            {
                Assert.Equal(FullHeader, lines[0]);
                Assert.True(client.AudiencePrefix(0, SetPrint.Of(Rows(client, name)), applied) >= 0, $"{client.Name}: {name} is not {run.Audience} after any committed prefix");
            }
            else
            {
                Assert.Equal(DeltaHeader, lines[0]);
            }
        }

        foreach (ExportRun run in runs.Where(r => r.Export == DeltaExport && r.State == ExportRunState.Complete))
        {
            SetPrint partner = SetPrint.Of(PartnerState(client, runs, run.Id));
            Assert.True(client.AudiencePrefix(1, partner, applied) >= 0, $"{client.Name}: after delta run {run.Id} the partner holds {partner.Count} IDs: not the audience after any committed prefix");
        }

        _runsChecked += runs.Count;
    }

    /// <summary>What a partner holds after applying every delta file delivered up to run <paramref name="upTo"/>, in delivery order.</summary>
    private HashSet<string> PartnerState(CampaignClient client, List<ExportRun> runs, long upTo)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (ExportRun run in runs.Where(r => r.Export == DeltaExport && r.Id <= upTo && r.FileName is not null).OrderBy(r => r.Id))
        {
            if (!File.Exists(Path.Combine(client.Delivered, run.FileName!)))
            {
                continue;
            }

            foreach (string line in Lines(client, run.FileName!).Skip(1))
            {
                string[] cells = line.Split(',');
                Assert.True(cells.Length == 4 && cells[0] == "HEMSHA2" && cells[1].Length == 64, $"{client.Name}: {run.FileName}: bad row {line}");
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
    private IEnumerable<string> Rows(CampaignClient client, string name) => Lines(client, name).Skip(1).Select(line =>
    {
        string[] cells = line.Split(',');
        Assert.True(cells.Length == 2 && cells[0] == "HEMSHA2" && cells[1].Length == 64, $"{client.Name}: {name}: bad row {line}");
        return cells[1];
    });

    /// <summary>A delivered file's lines (decrypted by the partner's gpg when encrypted), read once: a final name is only ever replaced whole.</summary>
    private List<string> Lines(CampaignClient client, string name)
    {
        var info = new FileInfo(Path.Combine(client.Delivered, name));
        if (!client.Parsed.TryGetValue(name, out var cached) || cached.Length != info.Length || cached.Written != info.LastWriteTimeUtc)
        {
            string text = client.Partner is null ? File.ReadAllText(info.FullName) : Decrypt(client.Partner, info.FullName);
            Assert.True(text.EndsWith('\n'), $"{client.Name}: {name} does not end with a whole line");
            cached = (info.Length, info.LastWriteTimeUtc, [.. text.TrimEnd('\n').Split('\n')]);
            client.Parsed[name] = cached;
        }

        return cached.Lines;
    }

    private string Decrypt(GpgHome partner, string path)
    {
        string plain = _folder.File("decrypted.csv");
        try
        {
            partner.Decrypt(path, plain);
        }
        catch (InvalidOperationException ex)
        {
            Assert.Fail($"{path} is not a whole PGP message the partner can decrypt: {ex.Message}");
        }

        return File.ReadAllText(plain);
    }

    public void Dispose()
    {
        _partner.Dispose();
        _sshd.Dispose();
        _folder.Dispose();
    }

    /// <summary>
    /// One client of the campaign: its stream and model, its folder in the inbox, where its exports land as the test
    /// reads them (the sshd's remote folder is local), the key its exports are encrypted to, and what the checks saw.
    /// </summary>
    private sealed record CampaignClient(string Name, CampaignStream Stream, string Inbox, string Delivered, GpgHome? Partner)
    {
        public int Dropped { get; set; }

        /// <summary>Every member ordinal ever seen and its ID.</summary>
        public Dictionary<uint, string> Ordinals { get; } = [];

        /// <summary>The runs the last kill left open, which the restart must close.</summary>
        public HashSet<long> MustBeClosed { get; } = [];

        public Dictionary<string, (long Length, DateTime Written, List<string> Lines)> Parsed { get; } = new(StringComparer.Ordinal);

        /// <summary>The longest prefix of the applied files whose audience <paramref name="audience"/> has this print, or -1.</summary>
        public int AudiencePrefix(int audience, SetPrint print, int applied)
        {
            for (int k = applied; k >= 0; k--)
            {
                if (Stream.AudiencePrints[k][audience] == print)
                {
                    return k;
                }
            }

            return -1;
        }
    }
}
