using Onboarding.Engine.Exports;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>Encrypted exports decrypted by the real gpg CLI, and the checks public keys pass before they are saved.</summary>
public sealed class PgpExportTests : IDisposable
{
    private readonly ExportHarness _h = new();

    [Fact]
    public async Task Run_Encrypted_EachOfTwoRecipientsDecryptsWithGpg_ToExactlyThePlainExport()
    {
        using var alice = new GpgHome();
        using var bob = new GpgHome();
        Encryption encryption = _h.Exports.AddEncryption("partners", [alice.ExportPublicKey(), bob.ExportPublicKey()], "ana");
        Assert.Equal(2, encryption.Recipients.Count);
        _h.Export("plain", e => e with { FileNameTemplate = "plain.csv" });
        _h.Export("sealed", e => e with { FileNameTemplate = "sealed.csv.pgp", Encryption = "partners" });

        ExportRun plain = await _h.Runner.RunAsync("plain", _h.Time.GetUtcNow(), CancellationToken.None);
        ExportRun encrypted = await _h.Runner.RunAsync("sealed", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.True(encrypted.State == ExportRunState.Complete, encrypted.Error);
        byte[] expected = File.ReadAllBytes(Path.Combine(_h.OutFolder, plain.FileName!));
        byte[] sealedBytes = File.ReadAllBytes(Path.Combine(_h.OutFolder, encrypted.FileName!));
        Assert.Equal(sealedBytes.Length, encrypted.Bytes);
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf("HEMSHA2"u8));
        foreach (GpgHome recipient in new[] { alice, bob })
        {
            string output = _h.PathOf($"decrypted-{Guid.NewGuid():N}.csv");
            recipient.Decrypt(Path.Combine(_h.OutFolder, encrypted.FileName!), output);
            Assert.Equal(expected, File.ReadAllBytes(output));
        }
    }

    [Fact]
    public void AddEncryption_SignOnlyKey_IsRefusedNamingTheKey()
    {
        using var gpg = new GpgHome();
        gpg.Run("--batch", "--pinentry-mode", "loopback", "--passphrase", string.Empty, "--quick-gen-key", "Signer <signer@example.invalid>", "ed25519", "sign", "never");

        var error = Assert.Throws<ExportException>(() => _h.Exports.AddEncryption("signer", [gpg.ExportPublicKey("signer@example.invalid")], "ana"));

        Assert.Matches("^The key [0-9A-F]{16} \\(Signer <signer@example.invalid>\\) cannot be encrypted to: it has no encryption-capable \\(sub\\)key: it is sign-only", error.Message);
        Assert.Empty(_h.Exports.Store.ListEncryptions());
    }

    [Fact]
    public void AddEncryption_ExpiredKey_IsRefusedWithItsExpiryDate()
    {
        using var gpg = new GpgHome();
        gpg.Run("--batch", "--faked-system-time", "20200101T000000!", "--pinentry-mode", "loopback", "--passphrase", string.Empty,
            "--quick-gen-key", "Old <old@example.invalid>", "future-default", "default", "1d");

        var error = Assert.Throws<ExportException>(() => _h.Exports.AddEncryption("old", [gpg.ExportPublicKey("old@example.invalid")], "ana"));

        Assert.Matches("^The key [0-9A-F]{16} \\(Old <old@example.invalid>\\) expired on 2020-01-02", error.Message);
    }

    [Fact]
    public void AddEncryption_RevokedKey_IsRefused()
    {
        using var gpg = new GpgHome();
        string fingerprint = gpg.Run("--with-colons", "--list-keys", "inbox-test@example.invalid")
            .Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        // gpg writes a revocation certificate at key creation, with its first line defused by a ':'.
        string certificate = File.ReadAllText(Path.Combine(gpg.Home, "openpgp-revocs.d", fingerprint + ".rev")).Replace(":-----BEGIN", "-----BEGIN", StringComparison.Ordinal);
        string certificatePath = _h.PathOf("revoke.asc");
        File.WriteAllText(certificatePath, certificate);
        gpg.Run("--batch", "--import", certificatePath);

        var error = Assert.Throws<ExportException>(() => _h.Exports.AddEncryption("revoked", [gpg.ExportPublicKey()], "ana"));

        Assert.Equal($"The key {fingerprint[^16..]} (Onboarding Test <inbox-test@example.invalid>) is revoked; ask the recipient for their current key.", error.Message);
    }

    [Fact]
    public void AddEncryption_NotAKey_SaysWhichOne()
    {
        using var gpg = new GpgHome();

        var error = Assert.Throws<ExportException>(() => _h.Exports.AddEncryption("bad", [gpg.ExportPublicKey(), "hello"], "ana"));

        Assert.StartsWith("Public key #2 ", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _h.Dispose();
}
