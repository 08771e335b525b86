using System.CommandLine;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;

namespace Onboarding.Watcher.Cli;

/// <summary>SFTP credentials as read from the command line.</summary>
internal sealed record Credentials(Secret? Password, Secret? PrivateKey, Secret? Passphrase);

/// <summary>
/// The options that give an SFTP password or private key without putting the secret itself on the command line
/// (where <c>ps</c> and shell history would show it): an environment variable, standard input, or a file.
/// Shared by <c>onboard inbox add-sftp</c> and <c>onboard destination add</c>.
/// </summary>
internal sealed class CredentialOptions
{
    public Option<string?> PasswordEnv { get; } = new("--password-env") { Description = "Read the password from this environment variable." };

    public Option<bool> PasswordStdin { get; } = new("--password-stdin") { Description = "Read the password from the first line of standard input." };

    public Option<string?> PasswordFile { get; } = new("--password-file") { Description = "Read the password from the first line of this file." };

    public Option<string?> Key { get; } = new("--key", "--key-file") { Description = "A private key file (OpenSSH or PEM); its content is stored encrypted." };

    public Option<string?> PassphraseEnv { get; } = new("--passphrase-env") { Description = "Read the private key's passphrase from this environment variable." };

    public IEnumerable<Option> All => [PasswordEnv, PasswordStdin, PasswordFile, Key, PassphraseEnv];

    /// <summary>Reads the credentials; on a usage problem returns null and says what in <paramref name="error"/>.</summary>
    public Credentials? Read(ParseResult result, out string? error)
    {
        error = null;
        string? passwordEnv = result.GetValue(PasswordEnv);
        string? passwordFile = result.GetValue(PasswordFile);
        string? keyPath = result.GetValue(Key);
        int given = (passwordEnv is null ? 0 : 1) + (result.GetValue(PasswordStdin) ? 1 : 0) + (passwordFile is null ? 0 : 1) + (keyPath is null ? 0 : 1);
        if (given != 1)
        {
            error = "give exactly one of --password-env VAR, --password-stdin, --password-file FILE or --key FILE.";
            return null;
        }

        if (result.GetValue(PassphraseEnv) is not null && keyPath is null)
        {
            error = "--passphrase-env goes with --key.";
            return null;
        }

        if (passwordEnv is not null)
        {
            return result.Context().Variable(passwordEnv) is { Length: > 0 } fromEnvironment
                ? new Credentials(new Secret(fromEnvironment), null, null)
                : Fail($"the environment variable {passwordEnv} is not set or empty.", out error);
        }

        if (result.GetValue(PasswordStdin))
        {
            return result.Context().In.ReadLine() is { Length: > 0 } line
                ? new Credentials(new Secret(line.TrimEnd('\r')), null, null)
                : Fail("no password on standard input.", out error);
        }

        if (passwordFile is not null)
        {
            return !File.Exists(result.Context().FullPath(passwordFile)) ? Fail($"{passwordFile}: no such password file.", out error)
                : File.ReadLines(result.Context().FullPath(passwordFile)).FirstOrDefault()?.TrimEnd('\r') is { Length: > 0 } fromFile ? new Credentials(new Secret(fromFile), null, null)
                : Fail($"{passwordFile}: the first line is empty.", out error);
        }

        if (!File.Exists(result.Context().FullPath(keyPath!)))
        {
            return Fail($"{keyPath}: no such key file.", out error);
        }

        Secret? passphrase = null;
        if (result.GetValue(PassphraseEnv) is { } passphraseVariable)
        {
            if (result.Context().Variable(passphraseVariable) is not { Length: > 0 } fromEnvironment)
            {
                return Fail($"the environment variable {passphraseVariable} is not set or empty.", out error);
            }

            passphrase = new Secret(fromEnvironment);
        }

        string keyText = File.ReadAllText(result.Context().FullPath(keyPath!));
        SftpConnector.CheckPrivateKey(keyText, passphrase?.Reveal());
        return new Credentials(null, new Secret(keyText), passphrase);
    }

    private static Credentials? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
