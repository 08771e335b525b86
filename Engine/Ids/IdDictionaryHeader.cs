using System.Buffers.Binary;
using System.IO.Hashing;

namespace Onboarding.Engine.Ids;

/// <summary>
/// One of the two header copies of an ID dictionary file, each in its own 4 KiB page at the start of the file.
/// A copy is also a commit record: the number of durable records, and a hash of the records its commit added so
/// that a commit whose records did not all reach the disk is recognised. Commits alternate between the copies
/// (sequence number even → page 0, odd → page 1), so the previous commit survives a torn header write.
/// </summary>
/// <remarks>
/// Layout of a copy (little-endian), then zeros to the end of the page:
/// <code>
///  0  magic "OBIDDICT"     8 bytes
///  8  format version       u16 (1)
/// 10  ID type              u8 (IdType)
/// 11  key length           u8 (bytes per record)
/// 12  reserved             u32 (0)
/// 16  sequence             u64 (commit number; the highest valid copy wins)
/// 24  record count         u64 (records 0..count-1 are committed)
/// 32  previous count       u64 (record count of the previous commit)
/// 40  batch hash           u64 (XxHash3 of the record bytes previous count..count)
/// 48  CRC-32               u32 (of bytes 0..47)
/// </code>
/// </remarks>
internal readonly record struct IdDictionaryHeader(
    ushort FormatVersion,
    IdType Type,
    int KeyLength,
    ulong Sequence,
    long Count,
    long PreviousCount,
    ulong BatchHash)
{
    public const int PageSize = 4096;

    /// <summary>Where record 0 starts: after the two header pages.</summary>
    public const int DataOffset = 2 * PageSize;

    public const ushort CurrentVersion = 1;

    public const int EncodedLength = 52;

    private static ReadOnlySpan<byte> Magic => "OBIDDICT"u8;

    /// <summary>File offset of the copy that commit <paramref name="sequence"/> is written to.</summary>
    public static long PageOffset(ulong sequence) => (long)(sequence & 1) * PageSize;

    public void Write(Span<byte> destination)
    {
        destination[..EncodedLength].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], FormatVersion);
        destination[10] = (byte)Type;
        destination[11] = (byte)KeyLength;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], Count);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], PreviousCount);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], BatchHash);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[48..], Crc32.HashToUInt32(destination[..48]));
    }

    public static bool HasMagic(ReadOnlySpan<byte> source) =>
        source.Length >= EncodedLength && source[..Magic.Length].SequenceEqual(Magic);

    /// <summary>Decodes a copy; false when the magic or the CRC does not match (a torn or foreign page).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out IdDictionaryHeader header)
    {
        header = default;
        if (!HasMagic(source)
            || BinaryPrimitives.ReadUInt32LittleEndian(source[48..]) != Crc32.HashToUInt32(source[..48]))
        {
            return false;
        }

        header = new IdDictionaryHeader(
            BinaryPrimitives.ReadUInt16LittleEndian(source[8..]),
            (IdType)source[10],
            source[11],
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[40..]));
        return true;
    }
}
