using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;
using Xunit.Abstractions;

namespace Onboarding.Watcher.Tests;

/// <summary>
/// SIGKILLs the real <c>onboard ingest</c> at random moments while it applies a series of files, and checks after
/// every kill that each segment equals its state after some whole prefix of the files (never a partial file)
/// and that no ID ever changed ordinal. ONBOARD_CRASH_KILLS sets the number of kills (default 12).
/// </summary>
public sealed class IngestionCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Files = 5;
    private const int RowsPerFile = 60_000;
    private const int People = 40_000;
    private static readonly string[] SegmentNames = ["Tier=Gold", "Tier=Silver", "Tier=Bronze", "Interest=Golf", "Interest=Tennis"];
    private readonly TempFolder _folder = new();

    [Fact]
    public void KilledAtRandomMoments_EverySegmentIsAWholeFilePrefix_AndOrdinalsNeverChange()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("ONBOARD_CRASH_KILLS"), out int configured) ? configured : 12;
        string data = _folder.File("data");
        List<string> files = [.. Enumerable.Range(0, Files).Select(WriteFile)];
        List<Dictionary<string, HashSet<string>>> expected = ExpectedStates(files);
        var ordinals = new Dictionary<string, string>(StringComparer.Ordinal);
        var random = new Random(20261123);
        int applied = 0;
        int killsDone = 0;
        int attempts = 0;

        while (applied < Files)
        {
            attempts++;
            using Process ingest = OnboardProcess.Start("--data", data, "ingest", files[applied]);
            bool killThisTime = killsDone < kills;
            if (killThisTime && !ingest.WaitForExit(random.Next(100, 2500)))
            {
                ingest.Kill(entireProcessTree: true);
                ingest.WaitForExit();
                killsDone++;
            }
            else
            {
                ingest.WaitForExit();
            }

            applied = Verify(data, expected, ordinals);
            if (!killThisTime && applied < Files && attempts > kills + (2 * Files))
            {
                Assert.Fail($"onboard made no progress: {ingest.StandardError.ReadToEnd()}");
            }
        }

        output.WriteLine($"{killsDone} kills over {attempts} runs; {ordinals.Count} IDs checked for stable ordinals");
        Assert.True(killsDone >= Math.Min(kills, 1));
    }

    /// <summary>Opens the data folder like a restart would and checks it; returns how many files are applied.</summary>
    private static int Verify(string data, List<Dictionary<string, HashSet<string>>> expected, Dictionary<string, string> ordinals)
    {
        using DataFolder folder = DataFolder.Open(data);
        ClientStore store = folder.Client(DataFolder.DefaultClient);
        List<JournalEntry> appliedFiles = [.. folder.Catalog.Files(DataFolder.DefaultClient).Where(f => f.Outcome == FileOutcome.Applied)];
        int applied = appliedFiles.Count;
        Assert.Equal([.. appliedFiles.Select(f => f.FileName)], Enumerable.Range(0, applied).Select(FileName));

        Dictionary<string, HashSet<string>> want = expected[applied];
        foreach (string name in SegmentNames)
        {
            string[] parts = name.Split('=');
            SegmentInfo? segment = store.FindSegment(parts[0], parts[1]);
            HashSet<string> actual = segment is null ? [] : [.. store.ReadMembers(segment).Select(store.FormatMember)];
            Assert.True(want[name].SetEquals(actual), $"{name} after {applied} files: expected {want[name].Count} members, found {actual.Count}");
            if (segment is not null)
            {
                foreach (uint member in store.ReadMembers(segment))
                {
                    string id = store.FormatMember(member);
                    string ordinal = member.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (ordinals.TryGetValue(id, out string? before))
                    {
                        Assert.Equal(before, ordinal);
                    }
                    else
                    {
                        ordinals[id] = ordinal;
                    }
                }
            }
        }

        return applied;
    }

    private static string FileName(int index) => $"HEMSHA2_default_2026010{index + 1}.csv";

    private static string Person(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"p{n}")));

    private string WriteFile(int index)
    {
        var random = new Random(index);
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int row = 0; row < RowsPerFile; row++)
        {
            string segment = SegmentNames[random.Next(SegmentNames.Length)];
            bool remove = index > 0 && random.Next(10) == 0;
            text.Append("HEMSHA2,").Append(Person(random.Next(People))).Append(',')
                .Append(remove ? string.Empty : segment).Append(',').Append(remove ? segment : string.Empty).Append('\n');
        }

        string path = _folder.File(FileName(index));
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>The reference model: each segment's members after 0, 1, … files, applied row by row.</summary>
    private static List<Dictionary<string, HashSet<string>>> ExpectedStates(List<string> files)
    {
        var state = SegmentNames.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.Ordinal));
        List<Dictionary<string, HashSet<string>>> states = [Copy(state)];
        foreach (string file in files)
        {
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                string[] cells = line.Split(',');
                if (cells[2].Length > 0)
                {
                    state[cells[2]].Add(cells[1]);
                }

                if (cells[3].Length > 0)
                {
                    state[cells[3]].Remove(cells[1]);
                }
            }

            states.Add(Copy(state));
        }

        return states;

        static Dictionary<string, HashSet<string>> Copy(Dictionary<string, HashSet<string>> s) =>
            s.ToDictionary(kv => kv.Key, kv => new HashSet<string>(kv.Value, StringComparer.Ordinal));
    }

    public void Dispose() => _folder.Dispose();
}
