using Onboarding.Engine.Exports;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Tests.Load;

/// <summary>
/// Issue #8's load at test sizes (the <c>load</c> benchmark runs it large): 50 files from 5 clients renamed into the
/// watched inbox at once while previews, audience processing and an export run in the same host.
/// </summary>
public sealed class LoadTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task FiftyFilesFromFiveClients_WithPreviewsProcessingAndAnExport_AllComplete_InArrivalOrder_WithConsistentResults()
    {
        var scenario = new LoadScenario(_folder.Path) { RowsPerFile = 2_000, PreviewPause = TimeSpan.FromMilliseconds(20), ProcessingPause = TimeSpan.FromMilliseconds(200) };
        scenario.Prepare();

        // Generous: a few seconds on a quiet machine; CI machines are loaded.
        LoadReport report = await scenario.RunAsync(timeout: TimeSpan.FromMinutes(4));
        Assert.False(report.TimedOut, $"not everything completed: {string.Join(", ", report.Files.Where(f => f.State != ReceivedFileState.Processed).Select(f => $"{f.Name} {f.State}"))}");
        LoadReplay replay = scenario.Replay();

        // Every file ingested exactly once, each client's in arrival order.
        Assert.Equal(50, report.Files.Count);
        Assert.All(report.Files, f => Assert.Equal((ReceivedFileState.Processed, FileOutcome.Applied), (f.State, f.Outcome)));
        for (int c = 0; c < scenario.Clients; c++)
        {
            string client = LoadScenario.Client(c);
            List<string> arrival = [.. Enumerable.Range(0, scenario.FilesPerClient).Select(f => LoadScenario.FileName(c, f))];
            Assert.Equal(arrival, report.Journal[client].Skip(1).Select(e => e.FileName));
            Assert.All(report.Journal[client], e => Assert.Equal(FileOutcome.Applied, e.Outcome));

            // The segments are exactly those of the files applied one after the other in that order.
            Assert.Equal(replay.Segments[client].Keys.Order(), report.Segments[client].Keys.Order());
            foreach ((string segment, IReadOnlySet<string> members) in replay.Segments[client])
            {
                Assert.True(members.SetEquals(report.Segments[client][segment]), $"{client} {segment}: {report.Segments[client][segment].Count} members, sequential application gives {members.Count}");
            }

            Assert.Equal(replay.Counts[client][^1][..LoadScenario.AudienceNames.Length], report.FinalAudienceSizes[client]);
        }

        // Previews ran all along, never failed, and each counted exactly what the sequential application gives after
        // the files its client had applied at that moment.
        Assert.NotEmpty(report.Previews);
        Assert.All(report.Previews, p => Assert.Null(p.Error));
        Assert.All(report.Previews, p => Assert.Equal(replay.Counts[p.Client][(int)p.Applied - 1][p.Expression], p.Size));
        Assert.Contains(report.Previews, p => p.Applied > 1 && p.Applied <= scenario.FilesPerClient);
        Assert.NotEmpty(report.ProcessingRounds);

        // The export completed and delivered the audience as one consistent state of client 0 had it.
        ExportRun export = report.Export!;
        Assert.True(export.State == ExportRunState.Complete, export.Error);
        string[] lines = File.ReadAllLines(Path.Combine(scenario.ExportFolder, export.FileName!));
        Assert.Equal("id_type,id", lines[0]);
        HashSet<string> exported = [.. lines.Skip(1).Select(l => l.Split(',')[1])];
        Assert.Equal(export.Rows, exported.Count);
        Assert.Contains(replay.ExportedAudience, members => members.SetEquals(exported));
    }

    public void Dispose() => _folder.Dispose();
}
