using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Operations;

/// <summary>
/// The deliverable as an operator runs it: the published single-file <c>onboard</c> (scripts/publish.sh, which CI
/// runs before the tests) watching the inbox an <c>onboard.json</c> names, asked by <c>onboard status --json</c>.
/// </summary>
public sealed class PublishedWatchEndToEndTests : IDisposable
{
    private static readonly Lazy<string> Published = new(Publish);

    private readonly TempFolder _folder = new();

    private string Data => _folder.File("data");

    private string Inbox => _folder.File("inbox");

    [Fact]
    public void PublishedWatch_ConfiguredByOnboardJson_ProcessesADroppedFile_ReportsItInStatus_AndStopsOnSigterm()
    {
        Directory.CreateDirectory(Data);
        Directory.CreateDirectory(Path.Combine(Inbox, "acme"));
        File.WriteAllText(Path.Combine(Data, "onboard.json"), JsonSerializer.Serialize(new
        {
            Onboard = new
            {
                Inbox = new { Path = Inbox, SettleSeconds = 0.3, RescanSeconds = 1 },
                Logging = new { LogLevel = new { Default = "Information" } },
            },
        }));

        // No --inbox: the inbox comes from onboard.json.
        using WatchProcess watcher = WatchProcess.Attach(Start("--data", Data, "watch"));
        Assert.Contains(Inbox, watcher.Output, StringComparison.Ordinal);

        string dropped = Path.Combine(Inbox, "acme", "HEMSHA2_acme_20260101.csv");
        File.WriteAllText(dropped + ".part", Rows(20));
        File.Move(dropped + ".part", dropped);

        JsonElement status = default;
        WatchProcess.WaitUntil(
            () =>
            {
                status = Status();
                return status.GetProperty("files").GetProperty("processed").GetInt32() == 1;
            },
            TimeSpan.FromSeconds(90));

        Assert.True(status.GetProperty("watcher").GetProperty("running").GetBoolean());
        Assert.Equal(Inbox, status.GetProperty("inbox").GetProperty("path").GetString());
        Assert.Equal(0, status.GetProperty("inbox").GetProperty("waiting").GetInt32());
        JsonElement latest = status.GetProperty("files").GetProperty("latest");
        Assert.Equal(("HEMSHA2_acme_20260101.csv", "acme", "Processed"), (latest.GetProperty("name").GetString(), latest.GetProperty("client").GetString(), latest.GetProperty("state").GetString()));
        Assert.Contains(status.GetProperty("clients").EnumerateArray(), c => c.GetProperty("client").GetString() == "acme" && c.GetProperty("diskBytes").GetInt64() > 0);

        watcher.Terminate();
        Assert.Equal(0, watcher.WaitForExit());

        // Stopped: status now reads the folder directly and says so.
        Assert.False(Status().GetProperty("watcher").GetProperty("running").GetBoolean());
    }

    public void Dispose() => _folder.Dispose();

    private JsonElement Status()
    {
        using Process process = Start("--data", Data, "status", "--json");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "onboard status did not finish");
        Assert.True(process.ExitCode == 0, error.Result + output.Result);
        return JsonDocument.Parse(output.Result).RootElement.Clone();
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Published.Value, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the published onboard");
    }

    /// <summary>
    /// dist/linux-x64/onboard as CI publishes it; published here (slow: minutes) when it is missing or older than a
    /// source file of the program, so a stale local build is never what gets tested.
    /// </summary>
    private static string Publish()
    {
        string executable = SourceTree.File("dist", "linux-x64", "onboard");
        if (File.Exists(executable) && File.GetLastWriteTimeUtc(executable) > NewestSource())
        {
            return executable;
        }

        using Process publish = Process.Start(new ProcessStartInfo("bash", [SourceTree.File("scripts", "publish.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        Task<string> output = publish.StandardOutput.ReadToEndAsync();
        Task<string> error = publish.StandardError.ReadToEndAsync();
        if (!publish.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            publish.Kill(entireProcessTree: true);
            throw new TimeoutException("scripts/publish.sh did not finish in 20 minutes");
        }

        Assert.True(publish.ExitCode == 0 && File.Exists(executable), $"scripts/publish.sh failed: {error.Result}{output.Result}");
        return executable;
    }

    private static DateTime NewestSource() =>
        new[] { "Engine", "Watcher" }
            .SelectMany(project => Directory.EnumerateFiles(SourceTree.File(project), "*.cs*", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Max(File.GetLastWriteTimeUtc);

    private static string Rows(int count)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int i = 0; i < count; i++)
        {
            text.Append("HEMSHA2,").Append(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"e2e{i}")))).Append(",Loyalty=Gold,\n");
        }

        return text.ToString();
    }
}
