using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Onboarding.Engine.Security;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM under a key kept outside the catalog: the environment variable
/// <c>ONBOARD_SECRET_KEY</c> (base64 of 32 bytes) when set, else the key file <c>&lt;data&gt;/secret.key</c>, created
/// owner-only (0600) with a random key on first use. Each ciphertext names its key id, so a rotation can tell
/// which secrets still need re-encrypting and old keys can decrypt until it finishes. A context string (what the
/// secret is, e.g. <c>sftp-inbox/acme/main/password</c>) is bound as associated data: a ciphertext copied into
/// another field or another client's configuration fails to decrypt.
/// </summary>
public sealed class SecretProtector
{
    public const string KeyVariable = "ONBOARD_SECRET_KEY";

    /// <summary>Comma-separated base64 keys that only decrypt (for rotating a key given by environment variable).</summary>
    public const string RetiredKeysVariable = "ONBOARD_SECRET_KEY_OLD";

    public const string KeyFileName = "secret.key";

    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly SecretKey _current;
    private readonly Dictionary<string, SecretKey> _keys = new(StringComparer.Ordinal);

    private SecretProtector(SecretKey current, IEnumerable<SecretKey> retired, string source)
    {
        _current = current;
        _keys[current.Id] = current;
        foreach (SecretKey key in retired)
        {
            _keys.TryAdd(key.Id, key);
        }

        KeySource = source;
    }

    /// <summary>The id of the key new secrets are encrypted with.</summary>
    public string CurrentKeyId => _current.Id;

    /// <summary>Where the current key comes from (for messages; never the key itself).</summary>
    public string KeySource { get; }

    /// <summary>Ids of keys that can still decrypt but no longer encrypt.</summary>
    public IReadOnlyList<string> RetiredKeyIds => [.. _keys.Keys.Where(id => id != _current.Id).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The protector for a data folder. <paramref name="environment"/> reads environment variables (tests pass
    /// their own); the key file is created only when no key is given by environment variable.
    /// </summary>
    public static SecretProtector Open(string dataFolder, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string keyFile = SecretKeyFile.PathIn(dataFolder);
        var retired = new List<SecretKey>();
        if (environment(RetiredKeysVariable) is { Length: > 0 } old)
        {
            retired.AddRange(old.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(text => SecretKey.Parse(text, $"the environment variable {RetiredKeysVariable}")));
        }

        if (environment(KeyVariable) is { Length: > 0 } fromEnvironment)
        {
            // Keys in a key file left from before still decrypt, so moving from the file to the variable is a rotation.
            if (SecretKeyFile.TryRead(keyFile) is { } inFile)
            {
                retired.Add(inFile.Current);
                retired.AddRange(inFile.Retired);
            }

            return new SecretProtector(SecretKey.Parse(fromEnvironment, $"the environment variable {KeyVariable}"), retired, $"environment variable {KeyVariable}");
        }

        Storage.DataFolder.CreatePrivateDirectory(dataFolder);
        (SecretKey current, IReadOnlyList<SecretKey> fileRetired) = SecretKeyFile.CreateIfMissing(keyFile);
        return new SecretProtector(current, [.. fileRetired, .. retired], $"key file {keyFile}");
    }

    /// <summary>A protector over given keys (tests, and tools that hold the key themselves).</summary>
    public static SecretProtector FromKeys(ReadOnlySpan<byte> current, params byte[][] retired) =>
        new(SecretKey.FromBytes(current), retired.Select(k => SecretKey.FromBytes(k)), "in-memory key");

    public ProtectedSecret Protect(Secret secret, string context)
    {
        ArgumentNullException.ThrowIfNull(secret);
        byte[] plaintext = Encoding.UTF8.GetBytes(secret.Reveal());
        byte[] sealedData = new byte[NonceSize + plaintext.Length + TagSize];
        Span<byte> nonce = sealedData.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_current.Key, TagSize))
        {
            aes.Encrypt(nonce, plaintext, sealedData.AsSpan(NonceSize, plaintext.Length), sealedData.AsSpan(NonceSize + plaintext.Length), AssociatedData(_current.Id, context));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return new ProtectedSecret($"{ProtectedSecret.FormatPrefix}.{_current.Id}.{Base64Url.EncodeToString(sealedData)}");
    }

    /// <summary>Decrypts; a wrong key, a wrong context or any changed byte is refused with <see cref="SecretKeyException"/>.</summary>
    public Secret Unprotect(ProtectedSecret value, string context)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_keys.TryGetValue(value.KeyId, out SecretKey? key))
        {
            throw new SecretKeyException(
                $"A stored secret ({context}) was encrypted with key {value.KeyId}, which is not available (current key {_current.Id} from {KeySource}). " +
                $"Restore the key file or set {KeyVariable}/{RetiredKeysVariable} to the key that encrypted it.");
        }

        byte[] sealedData;
        try
        {
            sealedData = Base64Url.DecodeFromChars(value.Value.AsSpan(value.Value.LastIndexOf('.') + 1));
        }
        catch (FormatException ex)
        {
            throw new SecretKeyException($"A stored secret ({context}) is damaged: its data is not base64url.", ex);
        }

        if (sealedData.Length < NonceSize + TagSize + 1)
        {
            throw new SecretKeyException($"A stored secret ({context}) is damaged: too short.");
        }

        int length = sealedData.Length - NonceSize - TagSize;
        byte[] plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(key.Key, TagSize);
            aes.Decrypt(sealedData.AsSpan(0, NonceSize), sealedData.AsSpan(NonceSize, length), sealedData.AsSpan(NonceSize + length), plaintext, AssociatedData(key.Id, context));
            return new Secret(Encoding.UTF8.GetString(plaintext));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new SecretKeyException($"A stored secret ({context}) failed its integrity check: it was altered, or belongs to another field.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>True when <paramref name="value"/> is encrypted with the current key.</summary>
    public bool IsCurrent(ProtectedSecret value) => value.KeyId == _current.Id;

    /// <summary>The same secret encrypted with the current key (the value itself when it already is).</summary>
    public ProtectedSecret Reprotect(ProtectedSecret value, string context) =>
        IsCurrent(value) ? value : Protect(Unprotect(value, context), context);

    private static byte[] AssociatedData(string keyId, string context) =>
        Encoding.UTF8.GetBytes($"{ProtectedSecret.FormatPrefix}.{keyId}.{context}");
}
