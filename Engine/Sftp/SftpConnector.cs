using System.Net.Sockets;
using System.Text;
using Onboarding.Engine.Security;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Onboarding.Engine.Sftp;

/// <summary>
/// Connects SSH.NET's <see cref="SftpClient"/> to an <see cref="SftpEndpoint"/>: decrypts its credentials, pins the
/// host key (SSH.NET trusts any key unless told otherwise), and turns SSH.NET's exceptions into
/// <see cref="SftpException"/>s that say what went wrong. Exports reuse it for destinations.
/// </summary>
public sealed class SftpConnector(SecretProtector protector, TimeSpan? timeout = null) : ISftpSessionFactory
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(20);

    /// <summary>A connected, authenticated client whose host key matched the pin. The caller disposes it.</summary>
    public async Task<SftpClient> ConnectAsync(SftpEndpoint endpoint, string secretScope, CancellationToken cancellation)
    {
        endpoint.Validate();
        string expected = SftpEndpoint.NormalizeFingerprint(endpoint.HostKeyFingerprint);
        ConnectionInfo connection = new(endpoint.Host, endpoint.Port, endpoint.User, Authentication(endpoint, secretScope))
        {
            Timeout = _timeout,
            Encoding = Encoding.UTF8,
        };
        var client = new SftpClient(connection) { OperationTimeout = _timeout * 3 };
        string? presented = null;
        string? keyType = null;
        client.HostKeyReceived += (_, e) =>
        {
            presented = e.FingerPrintSHA256;
            keyType = e.HostKeyName;
            e.CanTrust = string.Equals(e.FingerPrintSHA256, expected, StringComparison.Ordinal);
        };
        try
        {
            await client.ConnectAsync(cancellation).ConfigureAwait(false);
            return client;
        }
        catch (Exception) when (presented is not null && presented != expected)
        {
            // SSH.NET reports "Host key could not be verified"; say which key was expected and which was shown.
            client.Dispose();
            throw new HostKeyMismatchException($"{endpoint.Host}:{endpoint.Port}", expected, presented, keyType ?? "unknown key type");
        }
        catch (SshAuthenticationException ex)
        {
            client.Dispose();
            throw new SftpException(SftpFailureKind.Authentication, $"{endpoint.Display}: authentication as {endpoint.User} ({endpoint.Authentication}) was refused: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is SocketException or SshConnectionException or SshOperationTimeoutException or TimeoutException or IOException or ProxyException)
        {
            client.Dispose();
            throw new SftpException(SftpFailureKind.Connection, $"{endpoint.Display}: cannot connect: {ex.Message}", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    async Task<ISftpSession> ISftpSessionFactory.OpenAsync(SftpEndpoint endpoint, string secretScope, CancellationToken cancellation) =>
        new SftpClientSession(await ConnectAsync(endpoint, secretScope, cancellation).ConfigureAwait(false), endpoint.Display);

    private AuthenticationMethod[] Authentication(SftpEndpoint endpoint, string scope)
    {
        if (endpoint.PrivateKey is { } protectedKey)
        {
            string? passphrase = endpoint.Passphrase is { } p ? protector.Unprotect(p, scope + "/passphrase").Reveal() : null;
            string keyText = protector.Unprotect(protectedKey, scope + "/private-key").Reveal();
            PrivateKeyFile key;
            try
            {
                using var stream = new MemoryStream(Encoding.UTF8.GetBytes(keyText));
                key = passphrase is null ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, passphrase);
            }
            catch (Exception ex) when (ex is SshException or SshPassPhraseNullOrEmptyException or ArgumentException or InvalidOperationException or FormatException)
            {
                throw new SftpException(SftpFailureKind.Authentication, $"{endpoint.Display}: the stored private key cannot be read (wrong passphrase, or not an OpenSSH/PEM key): {ex.Message}", ex);
            }

            return [new PrivateKeyAuthenticationMethod(endpoint.User, key)];
        }

        Secret password = protector.Unprotect(endpoint.Password!, scope + "/password");
        return [new PasswordAuthenticationMethod(endpoint.User, password.Reveal())];
    }

    /// <summary>Checks that a private key (with its passphrase) can be read, before it is stored.</summary>
    public static void CheckPrivateKey(string keyText, string? passphrase)
    {
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(keyText));
            using PrivateKeyFile key = passphrase is null ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, passphrase);
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"The private key cannot be read: {ex.Message}" + (passphrase is null ? " (is it passphrase-protected? give --passphrase-env)" : string.Empty), ex);
        }
    }
}
