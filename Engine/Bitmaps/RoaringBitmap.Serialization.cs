using System.Buffers;
using Onboarding.Engine.Bitmaps.Serialization;

namespace Onboarding.Engine.Bitmaps;

public sealed partial class RoaringBitmap
{
    /// <summary>
    /// Size of the portable serialization: cookie 12346 when no container is a run container, else 12347
    /// (with the offset header only from 4 containers on), exactly as CRoaring writes it.
    /// </summary>
    public int SerializedSizeInBytes() => PortableFormat.SerializedSize(this);

    /// <summary>Writes the portable format; returns the number of bytes written.</summary>
    public int Serialize(Span<byte> destination) => PortableFormat.Write(this, destination);

    /// <summary>The portable format as a new array.</summary>
    public byte[] Serialize()
    {
        var bytes = new byte[SerializedSizeInBytes()];
        PortableFormat.Write(this, bytes);
        return bytes;
    }

    /// <summary>Writes the portable format to a stream.</summary>
    public void Serialize(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int size = SerializedSizeInBytes();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            PortableFormat.Write(this, buffer);
            stream.Write(buffer, 0, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a portable-format bitmap from the start of <paramref name="data"/> (trailing bytes are ignored).</summary>
    /// <exception cref="InvalidRoaringFormatException">The bytes are not a valid bitmap.</exception>
    public static RoaringBitmap Deserialize(ReadOnlySpan<byte> data) => PortableFormat.Read(data, out _);

    /// <summary>Reads a portable-format bitmap from the start of <paramref name="data"/>; reports how many bytes it used.</summary>
    /// <exception cref="InvalidRoaringFormatException">The bytes are not a valid bitmap.</exception>
    public static RoaringBitmap Deserialize(ReadOnlySpan<byte> data, out int bytesRead) => PortableFormat.Read(data, out bytesRead);

    /// <summary>
    /// Reads one bitmap from a stream, consuming exactly its bytes (several bitmaps written back to back can be read
    /// one after another; the stream need not be seekable).
    /// </summary>
    /// <exception cref="InvalidRoaringFormatException">The bytes are not a valid bitmap or the stream ends early.</exception>
    public static RoaringBitmap Deserialize(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return PortableFormat.Read(stream);
    }

    /// <summary>Like <see cref="Deserialize(ReadOnlySpan{byte}, out int)"/>, but returns false instead of throwing on malformed input.</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> data, out RoaringBitmap? bitmap, out int bytesRead)
    {
        try
        {
            bitmap = PortableFormat.Read(data, out bytesRead);
            return true;
        }
        catch (InvalidRoaringFormatException)
        {
            bitmap = null;
            bytesRead = 0;
            return false;
        }
    }
}
