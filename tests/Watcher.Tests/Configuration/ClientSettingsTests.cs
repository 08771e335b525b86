using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Configuration;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Configuration;

/// <summary>
/// <c>Onboard:Clients:&lt;client&gt;</c> in <c>onboard.json</c> reaches what runs: the watcher's inbox, <c>onboard ingest</c>,
/// <c>onboard export</c>, and <c>onboard config show</c> says so.
/// </summary>
public sealed class ClientSettingsTests : IDisposable
{
    // acme tolerates a quarter of bad rows and may not export under 500; everyone else keeps the defaults but a lower export minimum.
    private const string ClientsJson = """
        { "Onboard": {
            "Thresholds": { "MinimumExportAudienceSize": 3 },
            "Clients": { "acme": { "MaxRejectedShare": 0.5, "MinimumExportAudienceSize": 500 } } } }
        """;

    private readonly TempFolder _folder = new();

    public ClientSettingsTests()
    {
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(Data, OnboardConfiguration.FileName), ClientsJson);
    }

    private string Data => _folder.File("data");

    private string Inbox => _folder.File("inbox");

    [Fact]
    public async Task TheWatcher_HoldsEachClientsFilesToItsOwnThresholds()
    {
        WatcherOptions options = OnboardConfiguration.Load(Data, []).Watcher();
        options.DataPath = Data;
        options.Inbox.Path = Inbox;
        options.Inbox.PollInterval = TimeSpan.FromMilliseconds(100);
        Directory.CreateDirectory(Path.Combine(Inbox, "acme"));
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOnboardingWatcher(options);
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<LocalInbox>().Watching.WaitAsync(TimeSpan.FromSeconds(30));
            string content = "ID Type,ID,Add,Remove\n" + string.Join("\n", Rows(3)) + "\nHEMSHA2,not-a-hash,G=A,\n";
            File.WriteAllText(Path.Combine(Inbox, "acme", "a.csv"), content);
            File.WriteAllText(Path.Combine(Inbox, "d.csv"), content);

            Catalog catalog = host.Services.GetRequiredService<DataFolder>().Catalog;
            var clock = Stopwatch.StartNew();
            while (catalog.ReceivedFiles().Count(f => f.Outcome is not null) < 2)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "timed out waiting for the inbox");
                await Task.Delay(100);
            }

            ReceivedFile acme = catalog.ReceivedFiles().Single(f => f.Client == "acme");
            ReceivedFile other = catalog.ReceivedFiles().Single(f => f.Client == DataFolder.DefaultClient);
            Assert.Equal((FileOutcome.Applied, 1L), (acme.Outcome, acme.RowsRejected));
            Assert.Equal(FileOutcome.Refused, other.Outcome);
            Assert.Contains("above the 1% limit", other.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Ingest_UsesTheClientsThresholds_AndAnEnvironmentVariableOverridesTheFile()
    {
        string file = _folder.File("f.csv");
        File.WriteAllText(file, "ID Type,ID,Add,Remove\n" + string.Join("\n", Rows(3)) + "\nHEMSHA2,not-a-hash,G=A,\n");

        (int acme, string output, string error) = OnboardProcess.Run("--data", Data, "ingest", file, "--client", "acme");
        (int other, string refused, _) = OnboardProcess.Run("--data", Data, "ingest", file, "--client", "beta");
        (int stricter, string overridden, _) = OnboardProcess.RunWith(
            new Dictionary<string, string> { ["ONBOARD__CLIENTS__gamma__MAXREJECTEDSHARE"] = "0.1" }, "--data", Data, "ingest", file, "--client", "gamma");
        (int lenient, _, _) = OnboardProcess.RunWith(
            new Dictionary<string, string> { ["ONBOARD__CLIENTS__beta__MAXREJECTEDSHARE"] = "0.3" }, "--data", Data, "ingest", file, "--client", "beta");

        Assert.True(acme == 0, error + output);
        Assert.Contains("applied", output, StringComparison.Ordinal);
        Assert.Equal(1, other);
        Assert.Contains("above the 1% limit", refused, StringComparison.Ordinal);
        Assert.Equal(1, stricter);
        Assert.Contains("above the 10% limit", overridden, StringComparison.Ordinal);
        Assert.Equal(0, lenient);
    }

    [Fact]
    public void ExportSettings_SayWhereTheMinimumComesFrom_AndTheClientsOwnWins()
    {
        string configured = Succeeds("export", "settings", "--client", "acme");
        string set = Succeeds("export", "settings", "--client", "acme", "--min-audience-size", "40");
        using JsonDocument json = JsonDocument.Parse(Succeeds("export", "settings", "--client", "acme", "--json"));
        string back = Succeeds("export", "settings", "--client", "acme", "--use-configured");
        string other = Succeeds("export", "settings", "--client", "beta");
        (int both, _, string usage) = OnboardProcess.Run("--data", Data, "export", "settings", "--min-audience-size", "4", "--use-configured");

        string file = Path.Combine(Data, OnboardConfiguration.FileName);
        Assert.Equal($"minimum audience size: 500, from configuration: Onboard:Clients:acme:MinimumExportAudienceSize ({file})", configured.Trim());
        Assert.StartsWith("minimum audience size: 40, set for this client on ", set, StringComparison.Ordinal);
        Assert.Contains($"(configuration says 500: Onboard:Clients:acme:MinimumExportAudienceSize ({file}); --use-configured returns to it)", set, StringComparison.Ordinal);
        JsonElement root = json.RootElement;
        Assert.Equal((40, "client", 500), (root.GetProperty("minimumAudienceSize").GetInt64(), root.GetProperty("source").GetString(), root.GetProperty("configuredMinimumAudienceSize").GetInt64()));
        Assert.True(root.TryGetProperty("setOn", out _));
        Assert.Equal($"minimum audience size: 500, from configuration: Onboard:Clients:acme:MinimumExportAudienceSize ({file})", back.Trim());
        Assert.Equal($"minimum audience size: 3, from configuration: Onboard:Thresholds:MinimumExportAudienceSize ({file})", other.Trim());
        Assert.Equal(2, both);
        Assert.Contains("cannot be given together", usage, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportNow_IsHeldToTheClientsConfiguredMinimum()
    {
        string file = _folder.File("people.csv");
        File.WriteAllText(file, "ID Type,ID,Add,Remove\n" + string.Join("\n", Rows(10)) + "\n");
        foreach (string client in new[] { "acme", "beta" })
        {
            Succeeds("ingest", file, "--client", client);
            Succeeds("audience", "create", "All", "--expr", "\"G=A\"", "--client", client);
            Succeeds("audience", "activate", "All", "--client", client);
        }

        (int acme, _, string error) = OnboardProcess.Run("--data", Data, "export", "now", "--audience", "All", "--client", "acme", "--out", _folder.File("acme.csv"));
        string beta = Succeeds("export", "now", "--audience", "All", "--client", "beta", "--out", _folder.File("beta.csv"));

        Assert.Equal(1, acme);
        Assert.Contains("has 10 members, fewer than client acme's minimum export size of 500", error, StringComparison.Ordinal);
        Assert.Contains("wrote 10 rows", beta, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigShow_ListsEffectiveValuesWithSources_MasksSecrets_AndFailsLikeStartUp()
    {
        var environment = new Dictionary<string, string>
        {
            ["ONBOARD__SMTP__HOST"] = "mail.example.com",
            ["ONBOARD__SMTP__USER"] = "ops",
            ["ONBOARD__SMTP__PASSWORD"] = "hunter2-secret",
        };

        (int exit, string table, string error) = OnboardProcess.RunWith(environment, "--data", Data, "config", "show");
        (_, string jsonText, _) = OnboardProcess.RunWith(environment, "--data", Data, "config", "show", "--json");

        Assert.True(exit == 0, error);
        string file = Path.Combine(Data, OnboardConfiguration.FileName);
        Assert.Contains(Line("Onboard:Smtp:Password", "********", "environment variable ONBOARD__SMTP__PASSWORD"), Lines(table));
        Assert.Contains(Line("Onboard:Thresholds:MaxRejectedShare", "0.01", "default"), Lines(table));
        Assert.Contains(Line("Onboard:Clients:acme:MinimumExportAudienceSize", "500", file), Lines(table));
        Assert.Contains(Line("Onboard:Clients:acme:MaxRefreshShrink", "0.5", "as Onboard:Thresholds:MaxRefreshShrink (default)"), Lines(table));
        Assert.DoesNotContain("hunter2", table + jsonText, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(jsonText);
        JsonElement shrink = json.RootElement.GetProperty("settings").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "Onboard:Clients:acme:MaxRejectedShare");
        Assert.Equal(("0.5", file), (shrink.GetProperty("value").GetString(), shrink.GetProperty("source").GetString()));

        File.WriteAllText(file, """{ "Onboard": { "Clients": { "acme": { "MaxRefreshShrink": 7 } } } }""");
        (exit, _, error) = OnboardProcess.Run("--data", Data, "config", "show");
        Assert.Equal((1, $"error: {file}: Onboard:Clients:acme:MaxRefreshShrink must be a share between 0 and 1, got \"7\""), (exit, error.Trim()));
    }

    private static string[] Rows(int count) =>
        [.. Enumerable.Range(1, count).Select(n => $"HEMSHA2,{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"client-settings{n}")))},G=A,")];

    private static string Line(string key, string value, string source) => $"{key} {value} {source}";

    // Table cells are padded; compare with single spaces.
    private static string[] Lines(string table) =>
        [.. table.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];

    private string Succeeds(params string[] args)
    {
        (int exit, string output, string error) = OnboardProcess.Run(["--data", Data, .. args]);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)}: {error}{output}");
        return output;
    }

    public void Dispose() => _folder.Dispose();
}
