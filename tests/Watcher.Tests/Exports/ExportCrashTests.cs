using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Exports;

/// <summary>
/// SIGKILLs the real <c>onboard export run</c> while it writes the file, then checks that the run's in-progress row
/// survived the kill, that nothing looks delivered, and that the next run closes it as interrupted, removes the
/// temporary file and delivers the whole file as attempt 2 of the same scheduled instant.
/// </summary>
public sealed class ExportCrashTests : IDisposable
{
    private const int People = 300_000;
    private const string At = "2026-03-02T06:00:00Z";
    private readonly TempFolder _folder = new();

    private string Data => _folder.File("data");

    private string Out => _folder.File("out");

    [Fact]
    public void KilledWhileWriting_RunIsClosedAsInterrupted_ThenTheRetryDeliversTheWholeFile()
    {
        string file = _folder.File("people.csv");
        using (var writer = new StreamWriter(file))
        {
            writer.Write("ID Type,ID,Add,Remove\n");
            for (int n = 0; n < People; n++)
            {
                writer.Write($"HEMSHA2,{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"crash{n}")))},Tier=Gold,\n");
            }
        }

        Directory.CreateDirectory(Out);
        Succeeds("ingest", file);
        Succeeds("audience", "create", "Gold", "--expr", "\"Tier=Gold\"");
        Succeeds("audience", "activate", "Gold");
        Succeeds("destination", "add", "local", "--type", "folder", "--path", Out);

        // A kill can only land while the file is being written; on a fast machine a run may finish first: try another export then.
        for (int attempt = 1; ; attempt++)
        {
            string export = $"gold{attempt}";
            Succeeds("export", "create", export, "--audience", "Gold", "--destination", "local", "--file-name", $"{export}.csv", "--start", "2026-03-02 06:00");
            if (KillWhileWriting(export))
            {
                AssertRecovery(export);
                return;
            }

            Assert.True(attempt < 5, "the export always finished before it could be killed");
        }
    }

    private bool KillWhileWriting(string export)
    {
        var created = new BlockingCollection<string>();
        using var watcher = new FileSystemWatcher(Out);
        watcher.Created += (_, e) => created.Add(e.Name!);
        watcher.EnableRaisingEvents = true;
        using Process run = OnboardProcess.Start("--data", Data, "export", "run", export, "--at", At);
        bool killed = false;
        while (!run.HasExited)
        {
            if (created.TryTake(out string? name, 50) && name.StartsWith($".{export}.csv.", StringComparison.Ordinal))
            {
                run.Kill(entireProcessTree: true);
                killed = true;
                break;
            }
        }

        run.WaitForExit();
        return killed && !File.Exists(Path.Combine(Out, $"{export}.csv"));
    }

    private void AssertRecovery(string export)
    {
        using (JsonDocument before = JsonDocument.Parse(Succeeds("export", "history", export, "--json")))
        {
            JsonElement crashed = Assert.Single(before.RootElement.EnumerateArray());
            Assert.Equal("in-progress", crashed.GetProperty("state").GetString());
        }

        Assert.Single(Directory.GetFiles(Out, $".{export}.csv.*.part"));

        Succeeds("export", "run", export, "--at", At);

        using JsonDocument after = JsonDocument.Parse(Succeeds("export", "history", export, "--json"));
        JsonElement[] runs = [.. after.RootElement.EnumerateArray()];
        Assert.Equal(2, runs.Length);
        Assert.Equal(("complete", 2), (runs[0].GetProperty("state").GetString(), runs[0].GetProperty("attempt").GetInt32()));
        Assert.Equal("failed", runs[1].GetProperty("state").GetString());
        Assert.StartsWith("interrupted", runs[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Out, $".{export}.csv.*"));
        Assert.Equal(People + 1, File.ReadLines(Path.Combine(Out, $"{export}.csv")).Count());
    }

    private string Succeeds(params string[] args)
    {
        (int exit, string output, string error) = OnboardProcess.Run(["--data", Data, .. args]);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)} exited {exit}: {error}{output}");
        return output;
    }

    public void Dispose() => _folder.Dispose();
}
