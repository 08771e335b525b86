using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Exports;

/// <summary><c>onboard destination|encryption|export …</c> end to end, as a child process, against the real sshd and gpg.</summary>
[Collection(SshdCollection.Name)]
public sealed class ExportCliTests : IDisposable
{
    private readonly SshdPeer _peer;
    private readonly TempFolder _folder = new();

    public ExportCliTests(SshdPeer peer)
    {
        _peer = peer;
        // 150 people: 1-120 Loyalty=Gold, the rest Loyalty=Silver; the active audience "Gold".
        string file = _folder.File("people.csv");
        File.WriteAllText(file, "ID Type,ID,Add,Remove\n" + string.Concat(Enumerable.Range(1, 150).Select(n => $"HEMSHA2,{Id(n)},{(n <= 120 ? "Loyalty=Gold" : "Loyalty=Silver")},\n")));
        Succeeds("ingest", file);
        Succeeds("audience", "create", "Gold", "--expr", "\"Loyalty=Gold\"");
        Succeeds("audience", "activate", "Gold");
    }

    private string Data => _folder.File("data");

    [Fact]
    public void SftpDestination_PasswordFromAFile_TestCreateRunHistory_SecretNeverShown()
    {
        string remote = _peer.NewRemoteFolder("cli-export");
        string passwordFile = _folder.File("password.txt");
        File.WriteAllText(passwordFile, SshdPeer.Password + "\n");
        string added = Succeeds("destination", "add", "partner", "--host", SshdPeer.Host, "--port", _peer.Port.ToString(CultureInfo.InvariantCulture), "--user", SshdPeer.User,
            "--password-file", passwordFile, "--path", remote, "--fingerprint", "SHA256:" + _peer.HostKeyFingerprint);
        string tested = Succeeds("destination", "test", "partner");
        string listed = Succeeds("destination", "list", "--json");

        Assert.Contains("authenticated as onboard-sftp-test (password)", tested, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(remote));
        using (JsonDocument destinations = JsonDocument.Parse(listed))
        {
            JsonElement destination = destinations.RootElement[0];
            Assert.Equal(("partner", "sftp", "password", "••••••(set)"), (destination.GetProperty("name").GetString(), destination.GetProperty("type").GetString(),
                destination.GetProperty("auth").GetString(), destination.GetProperty("secret").GetString()));
        }

        Succeeds("export", "create", "gold", "--audience", "Gold", "--destination", "partner", "--file-name", "gold_{yyyyMMdd}.csv", "--start", "2026-03-02 06:00",
            "--repeat", "daily", "--time-zone", "Europe/Paris", "--columns", "id", "--no-header", "--record-delimiter", "crlf", "--active");
        (int exit, string run, string error) = Onboard("export", "run", "gold", "--at", "2026-03-02T05:00:00Z", "--json");
        Assert.True(exit == 0, error + run);
        using (JsonDocument document = JsonDocument.Parse(run))
        {
            Assert.Equal(("complete", 120, "gold_20260302.csv"), (document.RootElement.GetProperty("state").GetString(), document.RootElement.GetProperty("rows").GetInt32(),
                document.RootElement.GetProperty("fileName").GetString()));
        }

        Assert.Equal([.. Enumerable.Range(1, 120).Select(Id)], File.ReadAllText(Path.Combine(remote, "gold_20260302.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        string history = Succeeds("export", "history", "gold");
        Assert.Contains("complete", history, StringComparison.Ordinal);
        Assert.Contains("gold_20260302.csv", history, StringComparison.Ordinal);
        foreach (string text in new[] { added, tested, listed, run, history, Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(Data, "clients", "default", "exports.db"))) })
        {
            Assert.DoesNotContain(SshdPeer.Password, text, StringComparison.Ordinal);
        }

        string rotated = Succeeds("keys", "rotate");
        Assert.Contains("1 secret(s) re-encrypted", rotated, StringComparison.Ordinal);
        Assert.Contains("OK", Succeeds("destination", "test", "partner"), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FailedDelivery_ExitsOne_AndTheHistorySaysWhy()
    {
        Succeeds("destination", "add", "partner", "--host", SshdPeer.Host, "--port", _peer.Port.ToString(CultureInfo.InvariantCulture), "--user", SshdPeer.User,
            "--key", _peer.Ed25519KeyPath, "--path", "/no/such/folder", "--fingerprint", "SHA256:" + _peer.HostKeyFingerprint);
        Succeeds("export", "create", "gold", "--audience", "Gold", "--destination", "partner", "--start", "2026-03-02 06:00");

        (int exit, _, string error) = Onboard("export", "run", "gold");

        Assert.Equal(1, exit);
        Assert.Contains("cannot create /no/such/folder/.Gold_", error, StringComparison.Ordinal);
        using JsonDocument history = JsonDocument.Parse(Succeeds("export", "history", "--json"));
        Assert.Equal("failed", history.RootElement[0].GetProperty("state").GetString());
    }

    [Fact]
    public void Encryption_AddWithGpgKey_ThenExportNowAndUsageErrors()
    {
        using var gpg = new GpgHome();
        string key = _folder.File("partner.asc");
        File.WriteAllText(key, gpg.ExportPublicKey());
        string added = Succeeds("encryption", "add", "partner-pgp", "--key", key);
        Assert.Contains("Onboarding Test <inbox-test@example.invalid>", added, StringComparison.Ordinal);

        string output = _folder.File("now.csv");
        Assert.Contains("wrote 120 rows", Succeeds("export", "now", "--audience", "Gold", "--out", output), StringComparison.Ordinal);
        Assert.Equal(["id_type,id", .. Enumerable.Range(1, 120).Select(n => "HEMSHA2," + Id(n))], File.ReadAllLines(output));

        Assert.Equal(2, Onboard("export", "now", "--audience", "Gold", "--out", output, "--delimiter", "colon").ExitCode);
        (int exit, _, string error) = Onboard("export", "create", "x", "--audience", "Gold", "--destination", "nowhere", "--start", "2026-03-02");
        Assert.Equal((1, "error: Client default has no destination named \"nowhere\" (see onboard destination list)."), (exit, error.Trim()));
        Assert.Equal(2, Onboard("destination", "add", "p", "--host", "h", "--user", "u", "--path", "/in", "--fingerprint", "SHA256:" + _peer.HostKeyFingerprint).ExitCode);
        Succeeds("export", "settings", "--min-audience-size", "121");
        (exit, _, error) = Onboard("export", "now", "--audience", "Gold", "--out", output);
        Assert.Equal(1, exit);
        Assert.Contains("fewer than client default's minimum export size of 121", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Update_ChangesOnlyWhatIsGiven_UsageErrorsChangeNothing_AndStatesMove()
    {
        Directory.CreateDirectory(_folder.File("out"));
        Succeeds("destination", "add", "local", "--type", "folder", "--path", _folder.File("out"));
        Succeeds("export", "create", "gold", "--audience", "Gold", "--destination", "local", "--start", "2026-03-02 06:00", "--notify", "ops@example.com");
        string before = Succeeds("export", "show", "gold", "--json");

        Assert.Equal(2, Onboard("export", "update", "gold", "--delimiter", "colon").ExitCode);
        Assert.Equal(before, Succeeds("export", "show", "gold", "--json"));

        Succeeds("export", "update", "gold", "--delimiter", "tab", "--repeat", "weekly", "--days", "mon,fri");
        Succeeds("export", "activate", "gold");
        using (JsonDocument updated = JsonDocument.Parse(Succeeds("export", "show", "gold", "--json")))
        {
            JsonElement export = updated.RootElement.GetProperty("export");
            Assert.Equal(("tab", "active", "ops@example.com"), (export.GetProperty("format").GetProperty("fieldDelimiter").GetString(), export.GetProperty("state").GetString(),
                export.GetProperty("notifyEmails")[0].GetString()));
            Assert.Equal(["Monday", "Friday"], export.GetProperty("schedule").GetProperty("days").EnumerateArray().Select(d => d.GetString()));
        }

        Succeeds("export", "cancel", "gold");
        (int exit, _, string error) = Onboard("export", "activate", "gold");
        Assert.Equal((1, "error: Export \"gold\" is canceled for good; it cannot be activated. Create a new one."), (exit, error.Trim()));
    }

    private string Succeeds(params string[] args)
    {
        (int exit, string output, string error) = Onboard(args);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)} exited {exit}: {error}{output}");
        return output;
    }

    private (int ExitCode, string Output, string Error) Onboard(params string[] args) => OnboardProcess.Run(["--data", Data, .. args]);

    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"export-cli{n}")));

    public void Dispose() => _folder.Dispose();
}
