namespace Onboarding.Engine.Ids;

/// <summary>
/// The kinds of customer ID a client can onboard. Each type is its own ID space: the same person
/// hashed two ways is two members. The numeric values are persisted; never renumber them.
/// </summary>
public enum IdType : byte
{
    /// <summary>SHA-256 of a normalised e-mail address, 32 bytes.</summary>
    HemSha2 = 1,

    /// <summary>SHA-1 of a normalised e-mail address, 20 bytes.</summary>
    HemSha1 = 2,

    /// <summary>MD5 of a normalised e-mail address, 16 bytes.</summary>
    HemMd5 = 3,

    /// <summary>Mobile advertising ID (a UUID), 16 bytes.</summary>
    Maid = 4,

    /// <summary>IPv4 address, 4 bytes.</summary>
    Ip = 5,
}

public static class IdTypes
{
    public static IReadOnlyList<IdType> All { get; } = [IdType.HemSha2, IdType.HemSha1, IdType.HemMd5, IdType.Maid, IdType.Ip];

    /// <summary>Length of the binary form stored in the ID dictionary.</summary>
    public static int ByteLength(IdType type) => type switch
    {
        IdType.HemSha2 => 32,
        IdType.HemSha1 => 20,
        IdType.HemMd5 => 16,
        IdType.Maid => 16,
        IdType.Ip => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ID type"),
    };

    /// <summary>The name used in onboarding files and exports (the `ID Type` column).</summary>
    public static string FileName(IdType type) => type switch
    {
        IdType.HemSha2 => "HEMSHA2",
        IdType.HemSha1 => "HEMSHA1",
        IdType.HemMd5 => "HEMMD5",
        IdType.Maid => "MAID",
        IdType.Ip => "IP",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ID type"),
    };

    /// <summary>Recognises an `ID Type` cell, case-insensitively, surrounding spaces ignored.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IdType type)
    {
        text = text.Trim();
        foreach (IdType candidate in All)
        {
            if (text.Equals(FileName(candidate), StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }
}
