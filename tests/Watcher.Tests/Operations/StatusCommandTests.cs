using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Operations;

/// <summary><c>onboard status</c> read directly from the data folder, and answered by the running watcher that holds it.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Data => _folder.File("data");

    private string Inbox => _folder.File("inbox");

    [Fact]
    public void WithoutAWatcher_ReportsTheInboxAudienceProcessingNextExportAndDiskPerClient()
    {
        Succeeds("ingest", WriteFile(_folder.File("a.csv"), 3), "--client", "acme");
        Succeeds("audience", "create", "Gold", "--expr", "\"G=A\"", "--client", "acme");
        Succeeds("audience", "activate", "Gold", "--client", "acme");
        Succeeds("process", "--client", "acme");
        string delivered = _folder.File("out");
        Directory.CreateDirectory(delivered);
        Succeeds("destination", "add", "local", "--type", "folder", "--path", delivered, "--client", "acme");
        Succeeds("export", "create", "gold", "--audience", "Gold", "--destination", "local", "--start", "2099-01-01 06:00",
            "--repeat", "daily", "--time-zone", "UTC", "--client", "acme", "--active");
        WriteFile(Path.Combine(Inbox, "acme", "waiting.csv"), 2);
        WriteFile(Path.Combine(Inbox, "processed", "ignored.csv"), 2);
        File.WriteAllText(_folder.File("data/onboard.json"), $$"""{ "Onboard": { "Inbox": { "Path": "{{Inbox}}" } } }""");

        using JsonDocument status = JsonDocument.Parse(Succeeds("status", "--json"));
        JsonElement root = status.RootElement;

        Assert.False(root.GetProperty("watcher").GetProperty("running").GetBoolean());
        JsonElement inbox = root.GetProperty("inbox");
        Assert.Equal((Inbox, true, 1, 0), (inbox.GetProperty("path").GetString(), inbox.GetProperty("exists").GetBoolean(), inbox.GetProperty("waiting").GetInt32(), inbox.GetProperty("processing").GetInt32()));
        JsonElement acme = root.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("client").GetString() == "acme");
        Assert.True(acme.GetProperty("diskBytes").GetInt64() > 0);
        Assert.InRange(DateTimeOffset.UtcNow - acme.GetProperty("lastAudienceProcessing").GetDateTimeOffset(), TimeSpan.Zero, TimeSpan.FromHours(1));
        JsonElement next = Assert.Single(acme.GetProperty("nextExports").EnumerateArray());
        Assert.Equal(("gold", "Gold", new DateTimeOffset(2099, 1, 1, 6, 0, 0, TimeSpan.Zero)),
            (next.GetProperty("name").GetString(), next.GetProperty("audience").GetString(), next.GetProperty("nextRun").GetDateTimeOffset()));

        string text = Succeeds("status");
        Assert.Contains("watcher:     not running", text, StringComparison.Ordinal);
        Assert.Contains($"inbox:       {Inbox}: 1 waiting, 0 in .processing", text, StringComparison.Ordinal);
        Assert.Contains("2099-01-01 06:00:00 gold (Gold)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAWatcher_TheWatcherAnswers_AndReportsTheDroppedFileProcessed()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "acme"));
        using WatchProcess watcher = WatchProcess.Start(Data, Inbox);

        WriteFile(Path.Combine(Inbox, "acme", "HEMSHA2_acme_20260101.csv"), 5);
        JsonElement root = default;
        WatchProcess.WaitUntil(
            () =>
            {
                root = JsonDocument.Parse(Succeeds("status", "--json")).RootElement;
                return root.GetProperty("files").GetProperty("processed").GetInt32() == 1;
            },
            TimeSpan.FromSeconds(60));

        JsonElement state = root.GetProperty("watcher");
        Assert.True(state.GetProperty("running").GetBoolean());
        Assert.True(state.GetProperty("processId").GetInt32() > 0);
        Assert.True(state.GetProperty("watchingInboxes").GetBoolean());
        Assert.StartsWith("inbox: watching", state.GetProperty("activity").GetString(), StringComparison.Ordinal);
        Assert.Equal((Inbox, 0, 0), (root.GetProperty("inbox").GetProperty("path").GetString(), root.GetProperty("inbox").GetProperty("waiting").GetInt32(), root.GetProperty("inbox").GetProperty("processing").GetInt32()));
        Assert.Equal(("HEMSHA2_acme_20260101.csv", "acme", "Processed"), (root.GetProperty("files").GetProperty("latest").GetProperty("name").GetString(),
            root.GetProperty("files").GetProperty("latest").GetProperty("client").GetString(), root.GetProperty("files").GetProperty("latest").GetProperty("state").GetString()));

        watcher.Terminate();
        Assert.Equal(0, watcher.WaitForExit());
    }

    [Fact]
    public void Watch_WithABadSettingInOnboardJson_StopsAtStartUp_NamingTheFileAndTheSetting()
    {
        Directory.CreateDirectory(Data);
        string config = Path.Combine(Data, "onboard.json");
        File.WriteAllText(config, """{ "Onboard": { "Inbox": { "SettleSeconds": "abc" } } }""");

        (int exit, _, string error) = OnboardProcess.Run("--data", Data, "watch", "--inbox", Inbox);

        Assert.Equal(1, exit);
        Assert.Equal($"error: {config}: Onboard:Inbox:SettleSeconds must be a number ≥ 0, got \"abc\"", error.Trim());
    }

    [Fact]
    public void Watch_WithABadVariable_NamesTheVariable()
    {
        (int exit, _, string error) = OnboardProcess.RunWith(
            new Dictionary<string, string> { ["ONBOARD__INBOX__RESCANSECONDS"] = "-5" }, "--data", Data, "watch", "--inbox", Inbox);

        Assert.Equal(1, exit);
        Assert.Equal("error: environment variable ONBOARD__INBOX__RESCANSECONDS: Onboard:Inbox:RescanSeconds must be a number > 0, got \"-5\"", error.Trim());
    }

    [Fact]
    public void Watch_AnOptionOverridesTheVariable_ThatOverridesTheFile()
    {
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, "onboard.json"), """{ "Onboard": { "Inbox": { "RescanSeconds": "abc" } } }""");

        // The bad file value is overridden by the variable's (bad too), which --rescan (WatchProcess passes 1) overrides.
        using WatchProcess watcher = WatchProcess.Start(Data, Inbox, new Dictionary<string, string> { ["ONBOARD__INBOX__RESCANSECONDS"] = "-5" });

        watcher.Terminate();
        Assert.Equal(0, watcher.WaitForExit());
    }

    public void Dispose() => _folder.Dispose();

    private string Succeeds(params string[] args)
    {
        (int exit, string output, string error) = OnboardProcess.Run(["--data", Data, .. args]);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)}: {error}{output}");
        return output;
    }

    private static string WriteFile(string path, int rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int i = 0; i < rows; i++)
        {
            text.Append("HEMSHA2,").Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{path}{i}")))).Append(",G=A,\n");
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }
}
