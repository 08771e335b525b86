namespace Onboarding.Engine.Security;

/// <summary>A place that keeps protected secrets (SFTP inboxes today; export destinations will be another).</summary>
public interface ISecretStore
{
    /// <summary>Re-encrypts every secret not under the protector's current key; returns how many were.</summary>
    int ReprotectAll(SecretProtector protector);
}

public sealed record KeyRotationReport(string? PreviousKeyId, string CurrentKeyId, string KeySource, int SecretsReencrypted, IReadOnlyList<string> KeysDropped, string? Advice);

/// <summary>
/// <c>onboard keys rotate</c>. With the key file: a new key becomes current while the old one stays as retired,
/// every secret is re-encrypted, then the old key is dropped. Each step is durable, so a rotation interrupted at
/// any point is finished by running it again (no secret is ever left without a key that decrypts it). With
/// <c>ONBOARD_SECRET_KEY</c>: the operator sets the new key there and the old one in <c>ONBOARD_SECRET_KEY_OLD</c>;
/// the rotation re-encrypts every secret under the new key.
/// </summary>
public static class SecretKeyRotation
{
    public static KeyRotationReport Rotate(string dataFolder, IReadOnlyList<ISecretStore> stores, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(SecretProtector.KeyVariable) is { Length: > 0 })
        {
            SecretProtector fromEnvironment = SecretProtector.Open(dataFolder, environment);
            int count = stores.Sum(s => s.ReprotectAll(fromEnvironment));
            return new KeyRotationReport(null, fromEnvironment.CurrentKeyId, fromEnvironment.KeySource, count, [],
                $"Every secret is now under the key in {SecretProtector.KeyVariable}; unset {SecretProtector.RetiredKeysVariable}" +
                (File.Exists(SecretKeyFile.PathIn(dataFolder)) ? $" and delete {SecretKeyFile.PathIn(dataFolder)}" : string.Empty) + " once you have checked.");
        }

        string path = SecretKeyFile.PathIn(dataFolder);
        Storage.DataFolder.CreatePrivateDirectory(dataFolder);
        (SecretKey current, IReadOnlyList<SecretKey> retired) = SecretKeyFile.CreateIfMissing(path);
        string? previous = null;
        if (retired.Count == 0)
        {
            // Step 1: the new key is current, the old one retired (still decrypts).
            SecretKey next = SecretKey.Generate();
            previous = current.Id;
            SecretKeyFile.Write(path, next, [current]);
        }

        // Step 2: re-encrypt (a rotation interrupted earlier resumes here with the key it had made current).
        SecretProtector protector = SecretProtector.Open(dataFolder, _ => null);
        int reencrypted = stores.Sum(s => s.ReprotectAll(protector));
        IReadOnlyList<string> dropped = protector.RetiredKeyIds;

        // Step 3: nothing needs the retired keys any more.
        (SecretKey finalCurrent, _) = SecretKeyFile.TryRead(path)!.Value;
        SecretKeyFile.Write(path, finalCurrent, []);
        return new KeyRotationReport(previous, finalCurrent.Id, protector.KeySource, reencrypted, dropped, null);
    }
}
