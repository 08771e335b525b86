using System.Diagnostics;

namespace Onboarding.Testing;

/// <summary>
/// The real <c>gpg</c> CLI in a temporary GNUPGHOME with one fresh key (no passphrase): encrypts files as a client
/// would, and exports the armored secret key the watcher is configured with. Dispose stops its gpg-agent.
/// </summary>
public sealed class GpgHome : IDisposable
{
    private const string UserId = "Onboarding Test <inbox-test@example.invalid>";

    public GpgHome(string passphrase = "")
    {
        Passphrase = passphrase;
        // gpg-agent's socket path must be short: keep the home directly under /tmp.
        Home = Directory.CreateTempSubdirectory("gpg-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Without a fixed count the agent calibrates its passphrase hashing, which takes seconds per key.
        File.WriteAllText(System.IO.Path.Combine(Home, "gpg-agent.conf"), "s2k-count 65536\nallow-loopback-pinentry\n");
        Run("--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-gen-key", UserId, "future-default", "default", "never");
        SecretKeyFile = System.IO.Path.Combine(Home, "secret.asc");
        File.WriteAllText(SecretKeyFile, Run("--batch", "--pinentry-mode", "loopback", "--passphrase", passphrase, "--armor", "--export-secret-keys", UserId));
    }

    public string Home { get; }

    /// <summary>The secret key's passphrase (empty: none).</summary>
    public string Passphrase { get; }

    /// <summary>The armored secret key (the private key the watcher decrypts with).</summary>
    public string SecretKeyFile { get; }

    public static bool IsInstalled => File.Exists("/usr/bin/gpg") || File.Exists("/usr/local/bin/gpg");

    /// <summary>Encrypts <paramref name="input"/> to the key; <paramref name="armor"/> for an .asc file.</summary>
    public void Encrypt(string input, string output, bool armor = false, params string[] extra)
    {
        List<string> args = ["--batch", "--yes", "--trust-model", "always", "--recipient", UserId, "--output", output];
        if (armor)
        {
            args.Add("--armor");
        }

        args.AddRange(extra);
        args.Add("--encrypt");
        args.Add(input);
        Run([.. args]);
    }

    /// <summary>The armored public key (what a partner hands over for exports encrypted to them).</summary>
    public string ExportPublicKey(string userId = UserId) => Run("--armor", "--export", userId);

    /// <summary>Decrypts <paramref name="input"/> with the secret keys of this home; gpg fails unless the MDC checks out.</summary>
    public void Decrypt(string input, string output) => Run("--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", Passphrase, "--output", output, "--decrypt", input);

    public string Run(params string[] args)
    {
        var start = new ProcessStartInfo("gpg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--homedir");
        start.ArgumentList.Add(Home);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process gpg = Process.Start(start)!;
        Task<string> error = gpg.StandardError.ReadToEndAsync();
        string output = gpg.StandardOutput.ReadToEnd();
        if (!gpg.WaitForExit(TimeSpan.FromMinutes(1)) || gpg.ExitCode != 0)
        {
            throw new InvalidOperationException($"gpg {string.Join(' ', args)} failed: {error.Result}");
        }

        return output;
    }

    public void Dispose()
    {
        try
        {
            using Process? kill = Process.Start(new ProcessStartInfo("gpgconf", ["--homedir", Home, "--kill", "gpg-agent"]) { UseShellExecute = false, RedirectStandardError = true });
            kill?.WaitForExit(TimeSpan.FromSeconds(10));
            Directory.Delete(Home, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Best effort: the OS temp cleaner gets what is left.
        }
    }
}
