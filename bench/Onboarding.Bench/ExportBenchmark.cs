using System.Diagnostics;
using System.Text;
using Onboarding.Bench.Generators;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Onboarding.Bench;

/// <summary>
/// <see cref="ExportRunner.RunAsync"/> end to end for an audience of 10M HEMSHA2 members (<c>--quick</c>: 200k) to a
/// local folder destination, plain and then PGP-encrypted to two RSA-3072 recipients: members read from the
/// audience's processing run, IDs from the dictionary in ordinal order, CSV (<c>id_type,id</c>) through CsvHelper,
/// temporary name, fsync, rename. Setup (not timed): a generated onboarding file with every ID once in one segment,
/// ingested, and an active audience over that segment. Options: <c>--members N</c>, <c>--runs N</c>, <c>--dir PATH</c>
/// (keep the data folder there; a second run reuses it and skips the setup).
/// </summary>
internal sealed class ExportBenchmark : IBenchmark
{
    public string Name => "export";

    public string Description => "export a 10M-member audience to a local file, plain and PGP-encrypted (rows/s, MB/s, peak memory)";

    public async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        long members = BenchArguments.Number(args, "--members", quick ? 200_000 : 10_000_000);
        int runs = (int)BenchArguments.Number(args, "--runs", 1);
        string? kept = BenchArguments.Option(args, "--dir");
        string dir = kept ?? Directory.CreateTempSubdirectory("onboarding-export-").FullName;
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, folder {dir}, load average {ProcessStats.LoadAverage()}");
            string dataPath = Path.Combine(dir, "data");
            string output = Path.Combine(dir, "out");
            bool reused = Directory.Exists(dataPath);
            if (!reused)
            {
                Setup(dir, dataPath, output, members);
            }

            // Measured in a data folder opened afresh, as a watcher would have it before any ingestion: the exports read
            // the dictionary file without opening the dictionary.
            using DataFolder data = DataFolder.Open(dataPath);
            var runner = new ExportRunner(data, DataFolder.DefaultClient, SecretProtector.FromKeys(new byte[32]));
            GC.Collect();
            Console.WriteLine($"working set with the data folder open: {ProcessStats.WorkingSetMb():N0} MB");
            Console.WriteLine();
            Console.WriteLine("| export | rows | bytes | wall | CPU | rows/s | MB/s (output) | peak working set | load average before -> after |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
            double processPeak = ProcessStats.PeakWorkingSetMb();
            for (int run = 0; run < runs; run++)
            {
                foreach (string name in (string[])["plain", "pgp"])
                {
                    GC.Collect();
                    double baseline = ProcessStats.WorkingSetMb();
                    ProcessStats.ResetPeakWorkingSet();
                    string loadBefore = ProcessStats.LoadAverage();
                    TimeSpan cpuBefore = ProcessStats.CpuTime();
                    var wall = Stopwatch.StartNew();
                    ExportRun result = await runner.RunAsync(name, DateTimeOffset.UtcNow.AddMinutes(run), CancellationToken.None);
                    wall.Stop();
                    double cpu = (ProcessStats.CpuTime() - cpuBefore).TotalSeconds;
                    if (result.State != ExportRunState.Complete)
                    {
                        Console.Error.WriteLine($"export {name} failed: {result.Error}");
                        return 1;
                    }

                    double seconds = wall.Elapsed.TotalSeconds;
                    double peak = ProcessStats.PeakWorkingSetMb();
                    processPeak = Math.Max(processPeak, peak);
                    Console.WriteLine($"| {name} | {result.Rows:N0} | {result.Bytes:N0} | {seconds:N2} s | {cpu:N2} s | {result.Rows / seconds / 1e6:N2}M | {result.Bytes / seconds / 1e6:N0} | " +
                        $"{peak:N0} MB ({peak - baseline:+#,0;-#,0} MB over the {baseline:N0} MB before) | {loadBefore} -> {ProcessStats.LoadAverage()} |");
                    File.Delete(Path.Combine(output, result.FileName!));
                }
            }

            // Since the process started (the peaks above restart at each export): with a reused --dir, the whole process.
            Console.WriteLine();
            Console.WriteLine($"process peak working set (VmHWM since start{(reused ? ", data folder reused" : ", setup included")}): {processPeak:N0} MB");
            return 0;
        }
        finally
        {
            if (kept is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>A data folder with <paramref name="members"/> IDs in one segment, the active audience "All", and the two exports.</summary>
    private static void Setup(string dir, string dataPath, string output, long members)
    {
        var setup = Stopwatch.StartNew();
        var generator = new OnboardingFileGenerator { Rows = members, DistinctIds = members, EachIdOnce = true, RemoveShare = 0, Segments = 1 };
        string file = Path.Combine(dir, $"HEMSHA2_export{members}_20260101.csv");
        generator.Write(file);
        using DataFolder data = DataFolder.Open(dataPath);
        new IngestionService(data).Ingest(new IngestionRequest(file) { ReportFolder = dir });
        File.Delete(file);
        var audiences = new AudienceService(data, DataFolder.DefaultClient);
        audiences.Create("All", $"\"{generator.SegmentNames[0]}\"", "bench");
        audiences.Activate("All");
        var exports = new ExportService(dataPath, DataFolder.DefaultClient);
        Directory.CreateDirectory(output);
        exports.AddFolderDestination("local", output, "bench");
        exports.AddEncryption("two", [NewPublicKey("Bench One <one@example.invalid>"), NewPublicKey("Bench Two <two@example.invalid>")], "bench");
        exports.Create(Export("plain", null));
        exports.Create(Export("pgp", "two"));
        Console.WriteLine($"setup (generate, ingest {members:N0} IDs, activate the audience, keys): {setup.Elapsed.TotalSeconds:N1} s");
    }

    private static ExportConfiguration Export(string name, string? encryption) => new()
    {
        Name = name,
        Audience = "All",
        FileNameTemplate = name == "pgp" ? "{export}_{yyyyMMdd_HHmmss}.csv.pgp" : "{export}_{yyyyMMdd_HHmmss}.csv",
        Destination = "local",
        Encryption = encryption,
        Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 1, 1, 6, 0, 0) },
        CreatedBy = "bench",
    };

    /// <summary>An armored RSA-3072 public key flagged for encryption (what a partner would hand over).</summary>
    private static string NewPublicKey(string userId)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(0x10001), new SecureRandom(), 3072, 80));
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), DateTime.UtcNow);
        var flags = new PgpSignatureSubpacketGenerator();
        flags.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign | PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage);
        var ring = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, pair, userId, SymmetricKeyAlgorithmTag.Aes256, Array.Empty<char>(), true, flags.Generate(), null, new SecureRandom());
        using var text = new MemoryStream();
        using (var armored = new ArmoredOutputStream(text))
        {
            ring.GeneratePublicKeyRing().Encode(armored);
        }

        return Encoding.ASCII.GetString(text.ToArray());
    }
}
