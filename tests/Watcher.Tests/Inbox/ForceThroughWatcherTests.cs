using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Onboarding.Engine.Audit;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Tests.Inbox;

/// <summary>
/// The shrink and emptying guards reached through a running <c>onboard watch</c> (real processes): a dropped file
/// cannot carry <c>--force</c>, so a refused one waits in <c>failed/</c> with a reason naming the command, and
/// <c>onboard files retry … --force</c>, forwarded to the watcher, applies it exactly once and audits it.
/// </summary>
public sealed class ForceThroughWatcherTests : IDisposable
{
    private const int Gold = 2_000;
    private const int Silver = 1_200; // at least EmptyingGuardMinimumSize (1,000)
    private readonly TempFolder _folder = new();

    private string Inbox => _folder.File("inbox");

    private string Data => _folder.File("data");

    [Fact]
    public void ARefreshShrinkingAndADeltaEmptyingALargeSegment_AreRefusedAndKept_ThenForcedOnceByTheOperator()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "acme", "full"));
        using WatchProcess watcher = WatchProcess.Start(Data, Inbox);
        Drop("acme/seed.csv", Rows(0, Gold, "Tier=Gold,").Concat(Rows(10_000, Silver, "Tier=Silver,")));
        WaitForState("seed.csv", ReceivedFileState.Processed);

        // A truncated refresh (95% fewer Gold members) and a delta removing every Silver member.
        Drop("acme/full/shrink.csv", Rows(0, 100, "Tier=Gold,"));
        Drop("acme/empty.csv", Rows(10_000, Silver, ",Tier=Silver"));
        ReceivedFile shrink = WaitForState("shrink.csv", ReceivedFileState.Failed);
        ReceivedFile empty = WaitForState("empty.csv", ReceivedFileState.Failed);

        Assert.Contains("would shrink Tier=Gold from 2,000 to 100 members", shrink.Reason, StringComparison.Ordinal);
        Assert.Contains("onboard files retry shrink.csv --client acme --force", shrink.Reason, StringComparison.Ordinal);
        Assert.Contains("would remove every one of the 1,200 members of Tier=Silver", empty.Reason, StringComparison.Ordinal);
        Assert.Contains("onboard files retry empty.csv --client acme --force", empty.Reason, StringComparison.Ordinal);
        foreach (ReceivedFile refused in new[] { shrink, empty })
        {
            Assert.StartsWith(Path.Combine(Inbox, "failed") + Path.DirectorySeparatorChar, refused.Path, StringComparison.Ordinal);
            Assert.Equal(Path.Combine("acme", refused.Name), Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(refused.Path))!, refused.Path));
            Assert.True(File.Exists(refused.Path), refused.Path);
            Assert.Contains("--force", File.ReadAllText(refused.Path + ".summary.json"), StringComparison.Ordinal);
        }

        Assert.Contains("shrink.csv failed: the refresh would shrink Tier=Gold", watcher.Output, StringComparison.Ordinal);
        Assert.Equal((Gold, Silver), (Size("Gold"), Size("Silver")));

        // Without --force the guard still holds, and the file stays where it is.
        (int exit, string output, string error) = OnboardProcess.Run("--data", Data, "files", "retry", "shrink.csv", "--client", "acme");
        Assert.True(exit == 1, output + error);
        Assert.Contains("refused, nothing changed", output, StringComparison.Ordinal);
        Assert.True(File.Exists(shrink.Path));
        Assert.Equal(Gold, Size("Gold"));

        // The operator forces each one: applied in the watcher, with the mode the file arrived with (full, delta).
        (exit, output, error) = OnboardProcess.Run("--data", Data, "files", "retry", "shrink.csv", "--client", "acme", "--force", "--user", "ana");
        Assert.True(exit == 0, output + error);
        Assert.Contains("shrink.csv (acme, full): applied", output, StringComparison.Ordinal);
        Assert.Contains("moved to " + Path.Combine(Inbox, "processed"), output, StringComparison.Ordinal);
        (exit, output, error) = OnboardProcess.Run("--data", Data, "files", "retry", empty.Path, "--client", "acme", "--force", "--user", "ana");
        Assert.True(exit == 0, output + error);
        Assert.Contains("empty.csv (acme, delta): applied", output, StringComparison.Ordinal);
        Assert.Equal((100, 0), (Size("Gold"), Size("Silver")));
        Assert.Contains("Running a forwarded command: onboard files retry", watcher.Output, StringComparison.Ordinal);

        // Exactly once: a second retry finds nothing to do.
        (exit, _, error) = OnboardProcess.Run("--data", Data, "files", "retry", "shrink.csv", "--client", "acme", "--force");
        Assert.Equal(1, exit);
        Assert.Contains("shrink.csv (acme) is processed, not failed: there is nothing to retry", error, StringComparison.Ordinal);

        foreach (string name in new[] { "shrink.csv", "empty.csv" })
        {
            ReceivedFile forced = WaitForState(name, ReceivedFileState.Processed);
            Assert.Equal("applied on retry with --force by ana", forced.Reason);
            Assert.StartsWith(Path.Combine(Inbox, "processed"), forced.Path, StringComparison.Ordinal);
            Assert.True(File.Exists(forced.Path) && File.Exists(forced.ReportPath));
            Assert.Empty(Directory.GetFiles(Path.Combine(Inbox, "failed"), name + "*", SearchOption.AllDirectories));
        }

        (exit, output, error) = OnboardProcess.Run("--data", Data, "audit", "--client", "acme", "--json");
        Assert.True(exit == 0, error);
        List<AuditRecord> forcedRecords = [.. JsonSerializer.Deserialize<List<AuditRecord>>(output, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Where(r => r.Action == AuditActions.IngestForced)];
        Assert.Equal(["shrink.csv", "empty.csv"], forcedRecords.Select(r => r.Target));
        Assert.All(forcedRecords, r => Assert.Equal("ana", r.Actor));

        watcher.Terminate();
        Assert.Equal(0, watcher.WaitForExit());
        using DataFolder data = DataFolder.Open(Data);
        List<JournalEntry> journal = [.. data.Catalog.Files("acme")];
        Assert.Equal(1, journal.Count(e => e.FileName == "shrink.csv" && e.Outcome == FileOutcome.Applied));
        Assert.Equal(1, journal.Count(e => e.FileName == "empty.csv" && e.Outcome == FileOutcome.Applied));
        Assert.Equal(100, data.Client("acme").FindSegment("Tier", "Gold")!.Size);
    }

    [Fact]
    public async Task ARetryThatDiedAfterItsMove_IsCompletedByTheNextRetry_WhichSaysSo()
    {
        using (DataFolder data = DataFolder.Open(Data))
        {
            var ingestion = new IngestionService(data);
            var decoder = new InboundDecoder(new InboundDecoderOptions());
            await using (var processor = new InboxProcessor(data, ingestion, decoder, new ClientWriteLocks()))
            {
                Directory.CreateDirectory(Path.Combine(Inbox, "acme"));
                foreach ((string name, string cells) in new[] { ("seed.csv", "Tier=Silver,"), ("empty.csv", ",Tier=Silver") })
                {
                    Drop($"acme/{name}", Rows(10_000, Silver, cells));
                    Assert.True(processor.Enqueue(InboxConvention.Classify(Inbox, Path.Combine(Inbox, "acme", name))!, Inbox, "local:test"));
                    WatchProcess.WaitUntil(() => processor.Outstanding == 0, TimeSpan.FromSeconds(60));
                }
            }

            // The retry stops right after its move, as if the process died there: the record still says failed.
            var retry = new InboxRetry(data, ingestion, decoder, logger: new StopAt("moved to"));
            Assert.Throws<OperationCanceledException>(() => retry.Retry(retry.Find("acme", "empty.csv"), force: true));
        }

        (int exit, string output, string error) = OnboardProcess.Run("--data", Data, "files", "retry", "empty.csv", "--client", "acme", "--force");

        Assert.True(exit == 0, output + error);
        ReceivedFile repaired = Assert.Single(Files(), f => f.Name == "empty.csv");
        Assert.Equal(ReceivedFileState.Processed, repaired.State);
        Assert.Equal(
            $"empty.csv (acme): already applied by an earlier retry that was interrupted before it saved the file's record; the record, which still said failed, now says processed, at {repaired.Path}. Nothing was ingested again.",
            output.Trim());
        using DataFolder reopened = DataFolder.Open(Data);
        Assert.Equal(1, reopened.Catalog.Files("acme").Count(e => e.FileName == "empty.csv" && e.Outcome == FileOutcome.Applied));
        Assert.Equal(0, reopened.Client("acme").FindSegment("Tier", "Silver")!.Size);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Stops the code that logs a line containing the text, between the step it logs and the next.</summary>
    private sealed class StopAt(string text) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains(text, StringComparison.Ordinal))
            {
                throw new OperationCanceledException($"stopped at: {formatter(state, exception)}");
            }
        }
    }

    private void Drop(string relative, IEnumerable<string> rows)
    {
        string path = Path.Combine(Inbox, relative);
        File.WriteAllText(path + ".part", "ID Type,ID,Add,Remove\n" + string.Concat(rows.Select(r => r + "\n")));
        File.Move(path + ".part", path);
    }

    private static IEnumerable<string> Rows(int first, int count, string cells) =>
        Enumerable.Range(first, count).Select(n => $"HEMSHA2,{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"m{n}")))},{cells}");

    private ReceivedFile WaitForState(string name, ReceivedFileState state)
    {
        ReceivedFile? found = null;
        WatchProcess.WaitUntil(
            () => (found = Files().FirstOrDefault(f => f.Name == name && f.State == state)) is not null,
            TimeSpan.FromSeconds(60));
        return found!;
    }

    private List<ReceivedFile> Files()
    {
        (int exit, string output, string error) = OnboardProcess.Run("--data", Data, "files", "--client", "acme", "--json");
        Assert.True(exit == 0, error);
        return [.. JsonSerializer.Deserialize(output, ReceivedFileJsonContext.Default.IReadOnlyListReceivedFile)!];
    }

    private long Size(string segment)
    {
        (int exit, string output, string error) = OnboardProcess.Run("--data", Data, "segments", "--client", "acme", "--json");
        Assert.True(exit == 0, error);
        using JsonDocument json = JsonDocument.Parse(output);
        return json.RootElement.EnumerateArray().Single(s => s.GetProperty("segment").GetString() == segment).GetProperty("size").GetInt64();
    }
}
