using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Onboarding.Engine.Inbox;

/// <summary>
/// One OpenPGP layer being decrypted (BouncyCastle): finds the session key with the configured secret key (every
/// secret key is tried for a hidden recipient, key id 0), then exposes the literal data as a stream. The content
/// may only be trusted after <see cref="Verify"/>, which reads what is left of it and checks the MDC.
/// </summary>
internal sealed class PgpDecryption
{
    private readonly PgpPublicKeyEncryptedData _encrypted;

    private PgpDecryption(PgpPublicKeyEncryptedData encrypted, Stream content)
    {
        _encrypted = encrypted;
        Content = content;
    }

    /// <summary>The decrypted (and decompressed) literal data.</summary>
    public Stream Content { get; }

    public static PgpDecryption Open(Stream input, PgpKeyring keyring)
    {
        PgpSecretKeyRingBundle keys = keyring.Keys;
        PgpEncryptedDataList list = ReadEncryptedDataList(input);
        var tried = new List<string>();
        foreach (PgpEncryptedData data in list.GetEncryptedDataObjects())
        {
            if (data is not PgpPublicKeyEncryptedData encrypted)
            {
                continue;
            }

            IEnumerable<PgpSecretKey> candidates = encrypted.KeyId == 0
                ? keys.GetKeyRings().SelectMany(ring => ring.GetSecretKeys()).Where(k => !k.IsPrivateKeyEmpty)
                : keys.GetSecretKey(encrypted.KeyId) is { } key ? [key] : [];
            tried.Add(encrypted.KeyId == 0 ? "a hidden recipient" : $"key {encrypted.KeyId:X16}");
            foreach (PgpSecretKey candidate in candidates)
            {
                PgpPrivateKey privateKey = keyring.PrivateKey(candidate);
                Stream clear;
                try
                {
                    clear = encrypted.GetDataStream(privateKey);
                }
                catch (PgpException) when (encrypted.KeyId == 0)
                {
                    continue; // not this key
                }

                if (!encrypted.IsIntegrityProtected())
                {
                    throw new InboundDecodingException("OpenPGP: the message has no integrity protection (MDC); refused. Encrypt with a current OpenPGP tool (integrity protection on).");
                }

                return new PgpDecryption(encrypted, LiteralData(clear));
            }
        }

        throw new InboundDecodingException(tried.Count == 0
            ? "OpenPGP: the message is not encrypted to a public key (password-encrypted messages are not accepted)."
            : $"OpenPGP: the message is encrypted to {string.Join(", ", tried)}, and the configured secret key is not one of them.");
    }

    /// <summary>Reads the rest of the content and checks the integrity packet; throws if the message was altered.</summary>
    public void Verify()
    {
        byte[] buffer = new byte[1 << 14];
        while (Content.Read(buffer) > 0)
        {
        }

        if (!_encrypted.Verify())
        {
            throw new InboundDecodingException("OpenPGP: integrity check failed (MDC mismatch): the message was altered or damaged; nothing was ingested.");
        }
    }

    private static PgpEncryptedDataList ReadEncryptedDataList(Stream input)
    {
        try
        {
            var factory = new PgpObjectFactory(PgpUtilities.GetDecoderStream(input));
            while (factory.NextPgpObject() is { } item)
            {
                switch (item)
                {
                    case PgpEncryptedDataList list:
                        return list;
                    case PgpMarker:
                        continue;
                    default:
                        throw new InboundDecodingException($"OpenPGP: the file is not an encrypted message (found {item.GetType().Name}).");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or PgpException)
        {
            throw new InboundDecodingException(IsAead(ex)
                ? "OpenPGP: the message uses AEAD encryption (OCB/EAX, packet 20 or SEIPD v2), which is not supported; encrypt it without AEAD (e.g. gpg's default, or rnp without --aead)."
                : $"OpenPGP: the file is not a readable OpenPGP message ({ex.Message}).", ex);
        }

        throw new InboundDecodingException("OpenPGP: the file holds no encrypted message.");
    }

    /// <summary>BouncyCastle 2.7 reports an AEAD packet (tag 20) or a v2 SEIPD packet as an unknown/unsupported packet.</summary>
    private static bool IsAead(Exception ex) =>
        ex.ToString().Contains("AEAD", StringComparison.OrdinalIgnoreCase)
        || System.Text.RegularExpressions.Regex.IsMatch(ex.Message, @"(unknown|unsupported|unexpected)[^0-9]*\b20\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    private static Stream LiteralData(Stream clear)
    {
        var factory = new PgpObjectFactory(clear);
        PgpObject? item = factory.NextPgpObject();
        if (item is PgpCompressedData compressed)
        {
            factory = new PgpObjectFactory(compressed.GetDataStream());
            item = factory.NextPgpObject();
        }

        if (item is PgpOnePassSignatureList)
        {
            item = factory.NextPgpObject();
        }

        return item is PgpLiteralData literal
            ? literal.GetInputStream()
            : throw new InboundDecodingException($"OpenPGP: the decrypted message holds no data (found {item?.GetType().Name ?? "nothing"}).");
    }
}

/// <summary>
/// The configured secret keys, read once, and their private keys once unlocked (unlocking runs the key's S2K, which
/// is deliberately slow). Holds key material in memory for the life of the decoder; never logged.
/// </summary>
internal sealed class PgpKeyring(InboundDecoderOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, PgpPrivateKey> _unlocked = [];
    private PgpSecretKeyRingBundle? _keys;

    public PgpSecretKeyRingBundle Keys
    {
        get
        {
            lock (_lock)
            {
                return _keys ??= LoadKeys(options);
            }
        }
    }

    public PgpPrivateKey PrivateKey(PgpSecretKey key)
    {
        lock (_lock)
        {
            if (!_unlocked.TryGetValue(key.KeyId, out PgpPrivateKey? unlocked))
            {
                unlocked = ExtractPrivateKey(key, (options.PgpPassphrase ?? string.Empty).ToCharArray());
                _unlocked.Add(key.KeyId, unlocked);
            }

            return unlocked;
        }
    }

    private static PgpSecretKeyRingBundle LoadKeys(InboundDecoderOptions options)
    {
        if (string.IsNullOrEmpty(options.PgpSecretKeyFile))
        {
            throw new InboundDecodingException("OpenPGP: no secret key is configured to decrypt .pgp/.gpg/.asc files (set the watcher's PGP secret key file).");
        }

        try
        {
            using FileStream file = File.OpenRead(options.PgpSecretKeyFile);
            return new PgpSecretKeyRingBundle(PgpUtilities.GetDecoderStream(file));
        }
        catch (Exception ex) when (ex is IOException or PgpException or UnauthorizedAccessException)
        {
            throw new InboundDecodingException($"OpenPGP: the configured secret key file could not be read ({ex.Message}).", ex);
        }
    }

    private static PgpPrivateKey ExtractPrivateKey(PgpSecretKey key, char[] passphrase)
    {
        try
        {
            return key.ExtractPrivateKey(passphrase);
        }
        catch (PgpException ex)
        {
            throw new InboundDecodingException("OpenPGP: the secret key could not be unlocked; check the configured passphrase.", ex);
        }
    }
}
