using System.Diagnostics;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Inbox;

/// <summary><c>onboard inbox ...</c> and <c>onboard keys rotate</c> end to end, as a child process, against the real sshd.</summary>
[Collection(SshdCollection.Name)]
public sealed class InboxCliTests(SshdPeer peer) : IDisposable
{
    private const string PasswordVariable = "ONBOARD_TEST_SFTP_PASSWORD";
    private readonly TempFolder _folder = new();

    private string Data => _folder.File("data");

    [Fact]
    public void AddSftpWithPassword_ThenList_ShowsTheInbox_ButNeverTheSecret()
    {
        string remote = peer.NewRemoteFolder("cli-list");
        (int added, string addOutput, string addError) = Onboard(["inbox", "add-sftp", "acme-main", "--client", "acme", "--host", SshdPeer.Host, "--port", peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", SshdPeer.User, "--password-env", PasswordVariable, "--folder", remote, "--fingerprint", "SHA256:" + peer.HostKeyFingerprint, "--interval", "5m", "--after", "delete"]);
        Assert.True(added == 0, addError);

        (int listed, string table, _) = Onboard(["inbox", "list"]);
        (int listedJson, string json, _) = Onboard(["inbox", "list", "--json"]);

        Assert.Equal(0, listed);
        Assert.Equal(0, listedJson);
        Assert.Contains("acme-main", table, StringComparison.Ordinal);
        Assert.Contains("password ••••••(set)", table, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement inbox = document.RootElement[0];
        Assert.Equal("acme-main", inbox.GetProperty("name").GetString());
        Assert.Equal("password", inbox.GetProperty("auth").GetString());
        Assert.Equal(300, inbox.GetProperty("intervalSeconds").GetInt32());
        Assert.Equal("delete", inbox.GetProperty("after").GetString());
        foreach (string text in new[] { addOutput, addError, table, json, File.ReadAllText(Path.Combine(Data, "clients", "acme", "inboxes.json")) })
        {
            Assert.DoesNotContain(SshdPeer.Password, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Test_AgainstThePeer_ChecksTheHostKey_AndListsWaitingFiles()
    {
        string remote = peer.NewRemoteFolder("cli-test");
        File.WriteAllText(Path.Combine(remote, "HEMSHA2_acme_20260105.csv"), "ID Type,ID,Add,Remove\n");
        File.WriteAllText(Path.Combine(remote, "busy.csv.part"), "x");
        Assert.Equal(0, AddPasswordInbox("t1", remote).ExitCode);

        (int exit, string output, string error) = Onboard(["inbox", "test", "t1"]);

        Assert.True(exit == 0, error + output);
        Assert.Contains($"host key SHA256:{peer.HostKeyFingerprint} matches the pin", output, StringComparison.Ordinal);
        Assert.Contains("1 file(s) waiting", output, StringComparison.Ordinal);
        Assert.Contains("HEMSHA2_acme_20260105.csv", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(remote, "HEMSHA2_acme_20260105.csv"))); // test changes nothing
    }

    [Fact]
    public void Test_WrongPinnedFingerprint_FailsNamingBothFingerprints()
    {
        string remote = peer.NewRemoteFolder("cli-pin");
        Assert.Equal(0, AddPasswordInbox("t2", remote, fingerprint: SshdPeer.OtherFingerprint).ExitCode);

        (int exit, _, string error) = Onboard(["inbox", "test", "t2"]);

        Assert.Equal(1, exit);
        Assert.Contains($"expected SHA256:{SshdPeer.OtherFingerprint}", error, StringComparison.Ordinal);
        Assert.Contains($"presented SHA256:{peer.HostKeyFingerprint}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWithPassphraseProtectedKey_AndWithPasswordOnStdin_BothTestOk_ThenKeysRotate_ThenRemove()
    {
        string remote = peer.NewRemoteFolder("cli-key");
        (int keyAdded, _, string keyError) = Onboard(
            ["inbox", "add-sftp", "k1", "--client", "acme", "--host", SshdPeer.Host, "--port", peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", SshdPeer.User, "--key", peer.EncryptedKeyPath, "--passphrase-env", "ONBOARD_TEST_PASSPHRASE", "--folder", remote, "--fingerprint", peer.HostKeyFingerprint],
            environment: new() { ["ONBOARD_TEST_PASSPHRASE"] = SshdPeer.KeyPassphrase });
        Assert.True(keyAdded == 0, keyError);
        (int stdinAdded, _, string stdinError) = Onboard(
            ["inbox", "add-sftp", "s1", "--client", "globex", "--host", SshdPeer.Host, "--port", peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", SshdPeer.User, "--password-stdin", "--folder", remote, "--fingerprint", peer.HostKeyFingerprint],
            input: SshdPeer.Password + "\n");
        Assert.True(stdinAdded == 0, stdinError);
        string keyText = File.ReadAllText(peer.EncryptedKeyPath).Split('\n')[1];
        Assert.DoesNotContain(keyText, File.ReadAllText(Path.Combine(Data, "clients", "acme", "inboxes.json")), StringComparison.Ordinal);
        Assert.DoesNotContain(SshdPeer.KeyPassphrase, File.ReadAllText(Path.Combine(Data, "clients", "acme", "inboxes.json")), StringComparison.Ordinal);
        Assert.Equal(0, Onboard(["inbox", "test", "k1"]).ExitCode);
        Assert.Equal(0, Onboard(["inbox", "test", "s1"]).ExitCode);
        string keyFileBefore = File.ReadAllText(Path.Combine(Data, "secret.key"));

        (int rotated, string rotateOutput, string rotateError) = Onboard(["keys", "rotate"]);

        Assert.True(rotated == 0, rotateError);
        Assert.Contains("3 secret(s) re-encrypted", rotateOutput, StringComparison.Ordinal);
        Assert.NotEqual(keyFileBefore, File.ReadAllText(Path.Combine(Data, "secret.key")));
        Assert.True(Onboard(["inbox", "test", "k1"]).ExitCode == 0, "the key inbox works after rotation");
        Assert.True(Onboard(["inbox", "test", "s1"]).ExitCode == 0, "the password inbox works after rotation");

        Assert.Equal(0, Onboard(["inbox", "remove", "k1"]).ExitCode);
        Assert.Equal(1, Onboard(["inbox", "remove", "k1"]).ExitCode);
        Assert.DoesNotContain("k1", Onboard(["inbox", "list"]).Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--fingerprint", "*")]
    [InlineData("--interval", "soon")]
    [InlineData("--after", "archive")]
    public void AddSftp_BadArguments_AreRefused(string option, string value)
    {
        List<string> args = ["inbox", "add-sftp", "bad", "--host", "h", "--user", "u", "--password-env", PasswordVariable, "--folder", "/f", "--fingerprint", peer.HostKeyFingerprint];
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        (int exit, _, string error) = Onboard([.. args]);

        Assert.NotEqual(0, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
        Assert.Equal(0, Onboard(["inbox", "list", "--json"]).Output.Count(c => c == '{'));
    }

    private (int ExitCode, string Output, string Error) AddPasswordInbox(string name, string remote, string? fingerprint = null) =>
        Onboard(["inbox", "add-sftp", name, "--client", "acme", "--host", SshdPeer.Host, "--port", peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", SshdPeer.User, "--password-env", PasswordVariable, "--folder", remote, "--fingerprint", fingerprint ?? peer.HostKeyFingerprint]);

    private (int ExitCode, string Output, string Error) Onboard(string[] args, Dictionary<string, string>? environment = null, string? input = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(OnboardProcess.ProgramPath);
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(Data);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment[PasswordVariable] = SshdPeer.Password;
        start.Environment.Remove("ONBOARD_SECRET_KEY");
        foreach ((string key, string value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Write(input ?? string.Empty);
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"onboard {string.Join(' ', args)} did not finish");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    public void Dispose() => _folder.Dispose();
}
