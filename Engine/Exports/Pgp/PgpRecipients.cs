using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Onboarding.Engine.Exports.Pgp;

/// <summary>
/// Reads armored OpenPGP public keys and picks, in each, the key exports are encrypted to: a (sub)key whose key
/// flags allow encryption (BouncyCastle's <c>IsEncryptionKey</c> only looks at the algorithm, so an RSA sign-only
/// primary would pass it), not revoked, not expired; the newest such subkey wins, the primary only when it is itself
/// flagged for encryption. A key that has none is refused with a message naming it and saying why.
/// </summary>
public static class PgpRecipients
{
    private const int EncryptionFlags = PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage;

    /// <summary>The encryption key of every key in <paramref name="armoredKeys"/>, checked at <paramref name="now"/>.</summary>
    public static IReadOnlyList<(PgpPublicKey Key, PgpRecipient Recipient)> Resolve(IReadOnlyList<string> armoredKeys, DateTimeOffset now)
    {
        if (armoredKeys.Count == 0)
        {
            throw new ExportException("An encryption needs at least one public key.");
        }

        var found = new List<(PgpPublicKey, PgpRecipient)>();
        for (int i = 0; i < armoredKeys.Count; i++)
        {
            foreach (PgpPublicKeyRing ring in ReadRings(armoredKeys[i], i + 1))
            {
                found.Add(Choose(ring, now));
            }
        }

        return found;
    }

    private static List<PgpPublicKeyRing> ReadRings(string armored, int position)
    {
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.UTF8.GetBytes(armored)));
            List<PgpPublicKeyRing> rings = [.. new PgpPublicKeyRingBundle(input).GetKeyRings()];
            return rings.Count > 0 ? rings : throw new ExportException($"Public key #{position} holds no OpenPGP public key.");
        }
        catch (Exception ex) when (ex is PgpException or IOException or ArgumentException)
        {
            throw new ExportException($"Public key #{position} is not an armored OpenPGP public key (gpg --armor --export ...): {ex.Message}", ex);
        }
    }

    private static (PgpPublicKey, PgpRecipient) Choose(PgpPublicKeyRing ring, DateTimeOffset now)
    {
        PgpPublicKey primary = ring.GetPublicKey();
        string userId = primary.GetUserIds().FirstOrDefault() ?? "(no user id)";
        string name = $"key {primary.KeyId:X16} ({userId})";
        if (primary.HasRevocation())
        {
            throw new ExportException($"The {name} is revoked; ask the recipient for their current key.");
        }

        if (ExpiresAt(primary) is { } primaryExpiry && primaryExpiry <= now)
        {
            throw new ExportException($"The {name} expired on {primaryExpiry:yyyy-MM-dd}; ask the recipient to extend it or send a new key.");
        }

        var expired = new List<PgpPublicKey>();
        var revoked = new List<PgpPublicKey>();
        PgpPublicKey? best = null;
        foreach (PgpPublicKey key in ring.GetPublicKeys())
        {
            if ((Flags(key) & EncryptionFlags) == 0)
            {
                continue;
            }

            if (!key.IsMasterKey && key.HasRevocation())
            {
                revoked.Add(key);
            }
            else if (ExpiresAt(key) is { } expiry && expiry <= now)
            {
                expired.Add(key);
            }
            else if (best is null || (best.IsMasterKey && !key.IsMasterKey) || (best.IsMasterKey == key.IsMasterKey && key.CreationTime > best.CreationTime))
            {
                best = key;
            }
        }

        if (best is null)
        {
            string reason = expired.Count > 0
                ? $"its encryption subkey {expired[0].KeyId:X16} expired on {ExpiresAt(expired[0]):yyyy-MM-dd}"
                : revoked.Count > 0
                    ? $"its encryption subkey {revoked[0].KeyId:X16} is revoked"
                    : "it has no encryption-capable (sub)key: it is sign-only (key flags without encrypt)";
            throw new ExportException($"The {name} cannot be encrypted to: {reason}.");
        }

        DateTimeOffset? expires = ExpiresAt(best) is { } e && ExpiresAt(primary) is { } p ? (e < p ? e : p) : ExpiresAt(best) ?? ExpiresAt(primary);
        return (best, new PgpRecipient(userId, primary.KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture),
            best.KeyId.ToString("X16", System.Globalization.CultureInfo.InvariantCulture), best.Algorithm.ToString(), new DateTimeOffset(best.CreationTime, TimeSpan.Zero), expires));
    }

    /// <summary>Key flags from the binding signature (subkey) or the self-certifications (primary); 0 when none say.</summary>
    private static int Flags(PgpPublicKey key)
    {
        IEnumerable<PgpSignature> signatures = key.IsMasterKey
            ? key.GetSignatures().Where(s => s.SignatureType is PgpSignature.PositiveCertification or PgpSignature.CasualCertification
                or PgpSignature.NoCertification or PgpSignature.DefaultCertification or PgpSignature.DirectKey)
            : key.GetSignaturesOfType(PgpSignature.SubkeyBinding);
        PgpSignature? latest = signatures.Where(s => s.HasSubpackets && s.GetHashedSubPackets().HasSubpacket(SignatureSubpacketTag.KeyFlags))
            .OrderByDescending(s => s.CreationTime).FirstOrDefault();
        return latest?.GetHashedSubPackets().GetKeyFlags() ?? 0;
    }

    private static DateTimeOffset? ExpiresAt(PgpPublicKey key)
    {
        long seconds = key.GetValidSeconds();
        return seconds <= 0 ? null : new DateTimeOffset(key.CreationTime, TimeSpan.Zero).AddSeconds(seconds);
    }
}
