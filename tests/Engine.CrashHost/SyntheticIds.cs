using System.Buffers.Binary;

namespace Onboarding.Engine.CrashHost;

/// <summary>
/// Random-looking binary IDs that are a pure function of their index (SplitMix64 of index × 4 + lane, truncated
/// to the key length), so a test can tell which ID must sit at which ordinal without storing them.
/// </summary>
public static class SyntheticIds
{
    public static void Write(long index, Span<byte> destination)
    {
        Span<byte> lane = stackalloc byte[8];
        for (int offset = 0, i = 0; offset < destination.Length; offset += 8, i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(lane, SplitMix64((ulong)((index * 4) + i)));
            lane[..Math.Min(8, destination.Length - offset)].CopyTo(destination[offset..]);
        }
    }

    public static byte[] Create(long index, int keyLength)
    {
        byte[] id = new byte[keyLength];
        Write(index, id);
        return id;
    }

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
