namespace Onboarding.Engine.Ids;

/// <summary>
/// Reads the IDs of one client's ID type by ordinal, for streaming them out (an export). Get one from
/// <see cref="Storage.ClientStore.OpenIdReader"/> and dispose it when done; fastest with ordinals in ascending order.
/// </summary>
public interface IIdReader : IDisposable
{
    /// <summary>Bytes per ID.</summary>
    int KeyLength { get; }

    /// <summary>Writes the ID of <paramref name="ordinal"/> (<see cref="KeyLength"/> bytes) to the start of <paramref name="destination"/>.</summary>
    void GetId(uint ordinal, Span<byte> destination);
}
