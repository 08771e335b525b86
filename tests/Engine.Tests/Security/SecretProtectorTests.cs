using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Security;

namespace Onboarding.Engine.Tests.Security;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretProtectorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private static Func<string, string?> NoEnvironment => _ => null;

    [Fact]
    public void ProtectThenUnprotect_ReturnsThePlaintext_AndCiphertextDoesNotContainIt()
    {
        SecretProtector protector = SecretProtector.Open(_folder.Path, NoEnvironment);
        ProtectedSecret stored = protector.Protect(new Secret("hunter2-päss"), "ctx/password");

        Assert.Equal("hunter2-päss", protector.Unprotect(stored, "ctx/password").Reveal());
        Assert.DoesNotContain("hunter2", stored.Value, StringComparison.Ordinal);
        Assert.StartsWith($"ob1.{protector.CurrentKeyId}.", stored.Value, StringComparison.Ordinal);
        Assert.NotEqual(stored.Value, protector.Protect(new Secret("hunter2-päss"), "ctx/password").Value); // fresh nonce each time
    }

    [Fact]
    public void Unprotect_TamperedByte_IsRefused()
    {
        SecretProtector protector = SecretProtector.Open(_folder.Path, NoEnvironment);
        string value = protector.Protect(new Secret("s3cret"), "ctx").Value;
        int at = value.Length - 5;
        string tampered = value[..at] + (value[at] == 'A' ? 'B' : 'A') + value[(at + 1)..];

        var error = Assert.Throws<SecretKeyException>(() => protector.Unprotect(new ProtectedSecret(tampered), "ctx"));
        Assert.Contains("integrity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotect_UnderAnotherContext_IsRefused()
    {
        SecretProtector protector = SecretProtector.Open(_folder.Path, NoEnvironment);
        ProtectedSecret stored = protector.Protect(new Secret("s3cret"), "sftp-inbox/acme/main/password");

        Assert.Throws<SecretKeyException>(() => protector.Unprotect(stored, "sftp-inbox/other/main/password"));
    }

    [Fact]
    public void Open_CreatesKeyFileOwnerOnly_AndReusesIt()
    {
        SecretProtector first = SecretProtector.Open(_folder.Path, NoEnvironment);
        string keyFile = _folder.File("secret.key");

        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        ProtectedSecret stored = first.Protect(new Secret("x"), "c");
        SecretProtector second = SecretProtector.Open(_folder.Path, NoEnvironment);
        Assert.Equal(first.CurrentKeyId, second.CurrentKeyId);
        Assert.Equal("x", second.Unprotect(stored, "c").Reveal());
    }

    [Fact]
    public void Open_KeyFileReadableByOthers_IsRefused()
    {
        SecretProtector.Open(_folder.Path, NoEnvironment);
        File.SetUnixFileMode(_folder.File("secret.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<SecretKeyException>(() => SecretProtector.Open(_folder.Path, NoEnvironment));
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_KeyFromEnvironment_IsUsed_AndNoKeyFileIsCreated()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        string base64 = Convert.ToBase64String(key);
        SecretProtector protector = SecretProtector.Open(_folder.Path, name => name == SecretProtector.KeyVariable ? base64 : null);

        Assert.False(File.Exists(_folder.File("secret.key")));
        Assert.Contains(SecretProtector.KeyVariable, protector.KeySource, StringComparison.Ordinal);
        ProtectedSecret stored = protector.Protect(new Secret("v"), "c");
        Assert.Equal("v", SecretProtector.FromKeys(key).Unprotect(stored, "c").Reveal());
    }

    [Fact]
    public void Open_MalformedEnvironmentKey_IsRefusedClearly()
    {
        var error = Assert.Throws<SecretKeyException>(() => SecretProtector.Open(_folder.Path, name => name == SecretProtector.KeyVariable ? "dG9vIHNob3J0" : null));
        Assert.Contains("32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_ToStringAndInterpolation_NeverRevealThePlaintext()
    {
        var secret = new Secret("p@ssw0rd-visible?");
        SecretProtector protector = SecretProtector.FromKeys(RandomNumberGenerator.GetBytes(32));
        ProtectedSecret stored = protector.Protect(secret, "c");
        var holder = new { Password = secret, Stored = stored };

        foreach (string text in new[] { secret.ToString(), $"{secret}", stored.ToString(), holder.ToString()!, new StringBuilder().Append(secret).ToString() })
        {
            Assert.DoesNotContain("p@ssw0rd", text, StringComparison.Ordinal);
            Assert.DoesNotContain(stored.Value, text, StringComparison.Ordinal);
        }

        Assert.Equal("••••••(set)", secret.ToString());
    }

    [Fact]
    public void Rotate_ReencryptsEverySecret_DropsTheOldKey_AndSecretsStillDecrypt()
    {
        SecretProtector before = SecretProtector.Open(_folder.Path, NoEnvironment);
        var store = new ListSecretStore([before.Protect(new Secret("one"), "c1"), before.Protect(new Secret("two"), "c2")], ["c1", "c2"]);

        KeyRotationReport report = SecretKeyRotation.Rotate(_folder.Path, [store], NoEnvironment);

        SecretProtector after = SecretProtector.Open(_folder.Path, NoEnvironment);
        Assert.Equal(before.CurrentKeyId, report.PreviousKeyId);
        Assert.NotEqual(before.CurrentKeyId, after.CurrentKeyId);
        Assert.Equal(2, report.SecretsReencrypted);
        Assert.Empty(after.RetiredKeyIds); // the old key is gone from the key file
        Assert.All(store.Values, v => Assert.Equal(after.CurrentKeyId, v.KeyId));
        Assert.Equal("one", after.Unprotect(store.Values[0], "c1").Reveal());
        Assert.Equal("two", after.Unprotect(store.Values[1], "c2").Reveal());
        Assert.Throws<SecretKeyException>(() => after.Unprotect(before.Protect(new Secret("old"), "c"), "c"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.File("secret.key")));
    }

    [Fact]
    public void Rotate_InterruptedAfterTheNewKeyWasWritten_FinishesOnTheNextRun()
    {
        SecretProtector before = SecretProtector.Open(_folder.Path, NoEnvironment);
        var store = new ListSecretStore([before.Protect(new Secret("one"), "c1")], ["c1"]) { FailOnce = true };

        Assert.Throws<IOException>(() => SecretKeyRotation.Rotate(_folder.Path, [store], NoEnvironment));
        SecretProtector midway = SecretProtector.Open(_folder.Path, NoEnvironment);
        Assert.Contains(before.CurrentKeyId, midway.RetiredKeyIds); // the old key still decrypts
        Assert.Equal("one", midway.Unprotect(store.Values[0], "c1").Reveal());

        KeyRotationReport report = SecretKeyRotation.Rotate(_folder.Path, [store], NoEnvironment);

        SecretProtector after = SecretProtector.Open(_folder.Path, NoEnvironment);
        Assert.Equal(midway.CurrentKeyId, after.CurrentKeyId); // no second new key
        Assert.Equal(1, report.SecretsReencrypted);
        Assert.Empty(after.RetiredKeyIds);
        Assert.Equal("one", after.Unprotect(store.Values[0], "c1").Reveal());
    }

    public void Dispose() => _folder.Dispose();

    private sealed class ListSecretStore(ProtectedSecret[] values, string[] contexts) : ISecretStore
    {
        public ProtectedSecret[] Values { get; } = values;

        public bool FailOnce { get; set; }

        public int ReprotectAll(SecretProtector protector)
        {
            if (FailOnce)
            {
                FailOnce = false;
                throw new IOException("simulated crash during re-encryption");
            }

            int count = 0;
            for (int i = 0; i < Values.Length; i++)
            {
                if (!protector.IsCurrent(Values[i]))
                {
                    Values[i] = protector.Reprotect(Values[i], contexts[i]);
                    count++;
                }
            }

            return count;
        }
    }
}
