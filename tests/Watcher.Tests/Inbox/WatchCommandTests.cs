using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Tests.Inbox;

/// <summary>The real <c>onboard watch</c> and <c>onboard files</c> processes.</summary>
public sealed class WatchCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Inbox => _folder.File("inbox");

    private string Data => _folder.File("data");

    [Fact]
    public void Sigterm_InTheMiddleOfAStream_LosesNothing_AndTheRestartFinishesEveryFileOnce()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "acme"));
        const int Files = 16;
        using (WatchProcess first = WatchProcess.Start(Data, Inbox))
        {
            for (int i = 0; i < Files; i++)
            {
                // Every fourth file is big (more than one cancellation point), so the stop can land inside an ingestion.
                Drop(i, rows: i % 4 == 1 ? 100_000 : 50);
                if (i == 8)
                {
                    WatchProcess.WaitUntil(() => Directory.Exists(Path.Combine(Inbox, ".processing")) && Directory.EnumerateFiles(Path.Combine(Inbox, ".processing"), "*.csv", SearchOption.AllDirectories).Any(), TimeSpan.FromSeconds(20));
                    first.Terminate();
                }
            }

            Assert.Equal(0, first.WaitForExit());
            Assert.Contains("stopping", first.Output, StringComparison.Ordinal);
        }

        // Nothing lost: each file is in exactly one place, and applied at most once.
        Dictionary<string, int> places = Enumerable.Range(0, Files).ToDictionary(Name, i => Directory.GetFiles(Inbox, Name(i), SearchOption.AllDirectories).Length);
        Assert.All(places, p => Assert.Equal(1, p.Value));
        int appliedBefore = AppliedOnce();
        Assert.InRange(appliedBefore, 0, Files - 1); // stopped mid-stream

        using (WatchProcess second = WatchProcess.Start(Data, Inbox))
        {
            WatchProcess.WaitUntil(() => Directory.Exists(Path.Combine(Inbox, "processed")) && Directory.GetFiles(Path.Combine(Inbox, "processed"), "f*.csv", SearchOption.AllDirectories).Length == Files, TimeSpan.FromSeconds(40));
            second.Terminate();
            Assert.Equal(0, second.WaitForExit());
        }

        Assert.Equal(Files, AppliedOnce());
        Assert.Empty(Directory.GetFiles(Path.Combine(Inbox, ".processing"), "*.csv", SearchOption.AllDirectories));
        (int exit, string output, _) = OnboardProcess.Run("--data", Data, "files", "--client", "acme", "--json");
        Assert.Equal(0, exit);
        List<ReceivedFile> received = JsonSerializer.Deserialize(output, ReceivedFileJsonContext.Default.IReadOnlyListReceivedFile)!.ToList();
        Assert.Equal(Files, received.Count);
        Assert.All(received, r => Assert.Equal(ReceivedFileState.Processed, r.State));
    }

    [Fact]
    public void Watch_IngestsGzAndPgp_RefusesABombAndATamperedPgp_AndNeverPrintsThePassphrase()
    {
        Assert.True(GpgHome.IsInstalled, "gpg is not installed (apt-get install -y gnupg)");
        const string Passphrase = "correct horse battery staple 7";
        using var gpg = new GpgHome(Passphrase);
        Directory.CreateDirectory(Inbox);
        string staging = _folder.File("staging");
        Directory.CreateDirectory(staging);
        string plain = Path.Combine(staging, "plain.csv");
        File.WriteAllText(plain, Csv(1, 20));
        Gzip(plain, Path.Combine(staging, "a.csv.gz"));
        File.WriteAllText(plain, Csv(100, 20));
        gpg.Encrypt(plain, Path.Combine(staging, "b.csv.asc"), armor: true);
        File.WriteAllText(plain, Csv(200, 20));
        Gzip(plain, Path.Combine(staging, "c.csv.gz"));
        gpg.Encrypt(Path.Combine(staging, "c.csv.gz"), Path.Combine(staging, "c.csv.gz.pgp"));
        gpg.Encrypt(plain, Path.Combine(staging, "tampered.csv.pgp"));
        byte[] bytes = File.ReadAllBytes(Path.Combine(staging, "tampered.csv.pgp"));
        bytes[^25] ^= 0x40;
        File.WriteAllBytes(Path.Combine(staging, "tampered.csv.pgp"), bytes);
        using (FileStream bomb = File.Create(Path.Combine(staging, "bomb.csv.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(bomb, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(new byte[16 << 20]);
        }

        var environment = new Dictionary<string, string> { ["ONBOARD_PGP_PASSPHRASE"] = Passphrase };
        using WatchProcess watcher = WatchProcess.Start(Data, Inbox, environment, "--pgp-key", gpg.SecretKeyFile, "--max-decoded-bytes", "1000000");
        foreach (string name in new[] { "a.csv.gz", "b.csv.asc", "c.csv.gz.pgp", "tampered.csv.pgp", "bomb.csv.gz" })
        {
            File.Move(Path.Combine(staging, name), Path.Combine(Inbox, name));
        }

        WatchProcess.WaitUntil(() => Summaries("processed") + Summaries("failed") == 5, TimeSpan.FromSeconds(30));
        watcher.Terminate();
        Assert.Equal(0, watcher.WaitForExit());

        (int exit, string json, _) = OnboardProcess.Run("--data", Data, "files", "--json");
        Assert.Equal(0, exit);
        Dictionary<string, ReceivedFile> files = JsonSerializer.Deserialize(json, ReceivedFileJsonContext.Default.IReadOnlyListReceivedFile)!.ToDictionary(f => f.Name);
        Assert.All(["a.csv.gz", "b.csv.asc", "c.csv.gz.pgp"], n => Assert.Equal((ReceivedFileState.Processed, 20L), (files[n].State, files[n].RowsApplied)));
        Assert.Equal(ReceivedFileState.Failed, files["tampered.csv.pgp"].State);
        Assert.Contains("integrity check failed", files["tampered.csv.pgp"].Reason, StringComparison.Ordinal);
        Assert.Equal(ReceivedFileState.Failed, files["bomb.csv.gz"].State);
        Assert.Contains("decompression bomb", files["bomb.csv.gz"].Reason, StringComparison.Ordinal);

        (_, string table, _) = OnboardProcess.Run("--data", Data, "files", "--state", "failed");
        Assert.Contains("tampered.csv.pgp", table, StringComparison.Ordinal);
        Assert.DoesNotContain("a.csv.gz ", table, StringComparison.Ordinal);
        Assert.DoesNotContain(Passphrase, watcher.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Data, "tmp"), "*", SearchOption.AllDirectories));
    }

    private static string Name(int i) => $"f{i:00}.csv";

    private void Drop(int i, int rows)
    {
        string part = Path.Combine(Inbox, "acme", Name(i) + ".part");
        File.WriteAllText(part, Csv(i * 1_000_000, rows));
        File.Move(part, Path.Combine(Inbox, "acme", Name(i)));
    }

    private int AppliedOnce()
    {
        using DataFolder data = DataFolder.Open(Data);
        List<JournalEntry> applied = [.. data.Catalog.Files("acme").Where(e => e.Outcome == FileOutcome.Applied)];
        Assert.Equal(applied.Count, applied.Select(e => e.FileName).Distinct().Count());
        return applied.Count;
    }

    private int Summaries(string folder)
    {
        string path = Path.Combine(Inbox, folder);
        return Directory.Exists(path) ? Directory.GetFiles(path, "*.summary.json", SearchOption.AllDirectories).Length : 0;
    }

    private static string Csv(int first, int rows)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int n = first; n < first + rows; n++)
        {
            text.Append("HEMSHA2,").Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"p{n}")))).Append(",Tier=Gold,\n");
        }

        return text.ToString();
    }

    private static void Gzip(string input, string output)
    {
        using FileStream source = File.OpenRead(input);
        using FileStream target = File.Create(output);
        using var gzip = new System.IO.Compression.GZipStream(target, System.IO.Compression.CompressionLevel.Fastest);
        source.CopyTo(gzip);
    }

    public void Dispose() => _folder.Dispose();
}
