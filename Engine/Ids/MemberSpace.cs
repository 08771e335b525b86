namespace Onboarding.Engine.Ids;

/// <summary>
/// Maps a (ID type, dictionary ordinal) pair to the 32-bit member value kept in segment bitmaps, so one
/// bitmap can hold members of every ID type while each type stays its own ID space. The ranges are
/// persisted in every segment file; never change them.
/// </summary>
/// <remarks>
/// HEMSHA2, the common case, gets the lower half of the 32-bit space (2^31 IDs); the four other types get
/// 2^29 IDs each. Roaring keys keep the ranges in separate containers, so the split costs nothing.
/// </remarks>
public static class MemberSpace
{
    private const uint HemSha2Capacity = 1u << 31;
    private const uint OtherCapacity = 1u << 29;

    /// <summary>How many IDs of this type a client can hold.</summary>
    public static uint Capacity(IdType type) => type == IdType.HemSha2 ? HemSha2Capacity : OtherCapacity;

    /// <summary>The first member value of this type's range.</summary>
    public static uint Start(IdType type) => type switch
    {
        IdType.HemSha2 => 0,
        IdType.HemSha1 => HemSha2Capacity,
        IdType.HemMd5 => HemSha2Capacity + OtherCapacity,
        IdType.Maid => HemSha2Capacity + (2 * OtherCapacity),
        IdType.Ip => HemSha2Capacity + (3 * OtherCapacity),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ID type"),
    };

    public static uint ToMember(IdType type, uint ordinal)
    {
        if (ordinal >= Capacity(type))
        {
            throw new InvalidOperationException(
                $"The {IdTypes.FileName(type)} ID space of this client is full ({Capacity(type):N0} IDs).");
        }

        return Start(type) + ordinal;
    }

    public static (IdType Type, uint Ordinal) FromMember(uint member)
    {
        if (member < HemSha2Capacity)
        {
            return (IdType.HemSha2, member);
        }

        uint rest = member - HemSha2Capacity;
        IdType type = (rest / OtherCapacity) switch
        {
            0 => IdType.HemSha1,
            1 => IdType.HemMd5,
            2 => IdType.Maid,
            _ => IdType.Ip,
        };
        return (type, rest % OtherCapacity);
    }
}
