using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Onboarding.Engine.Bitmaps.Containers;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps.Serialization;

/// <summary>
/// The Roaring portable serialization format (32-bit), as written by CRoaring, Java RoaringBitmap and roaring-rs.
/// The reader validates everything it reads and reports problems as <see cref="InvalidRoaringFormatException"/>.
/// </summary>
internal static class PortableFormat
{
    public const int SerialCookieNoRunContainer = 12346;
    public const int SerialCookie = 12347;
    public const int NoOffsetThreshold = 4;
    public const int MaxContainers = 65536;

    public static int SerializedSize(RoaringBitmap bitmap)
    {
        int n = bitmap.ContainerCount;
        int size = HeaderSize(n, bitmap.HasRuns);
        for (int i = 0; i < n; i++)
        {
            size += bitmap.ContainerAt(i).SerializedSizeInBytes;
        }

        return size;
    }

    private static int HeaderSize(int containers, bool hasRuns) => hasRuns
        ? 4 + ((containers + 7) / 8) + (4 * containers) + (containers >= NoOffsetThreshold ? 4 * containers : 0)
        : 8 + (8 * containers);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Write(RoaringBitmap bitmap, Span<byte> destination)
    {
        int n = bitmap.ContainerCount;
        bool hasRuns = bitmap.HasRuns;
        int total = SerializedSize(bitmap);
        if (destination.Length < total)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; {total} are needed.", nameof(destination));
        }

        int pos;
        bool offsets;
        if (hasRuns)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, SerialCookie | ((uint)(n - 1) << 16));
            Span<byte> flags = destination.Slice(4, (n + 7) / 8);
            flags.Clear();
            for (int i = 0; i < n; i++)
            {
                if (bitmap.ContainerAt(i).IsRun)
                {
                    flags[i / 8] |= (byte)(1 << (i % 8));
                }
            }

            pos = 4 + flags.Length;
            offsets = n >= NoOffsetThreshold;
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, SerialCookieNoRunContainer);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)n);
            pos = 8;
            offsets = true;
        }

        int offsetPos = pos + (4 * n);
        int payload = offsetPos + (offsets ? 4 * n : 0);
        for (int i = 0; i < n; i++)
        {
            Container c = bitmap.ContainerAt(i);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(pos + (4 * i))..], bitmap.KeyAt(i));
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(pos + (4 * i) + 2)..], (ushort)(c.Cardinality - 1));
            if (offsets)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(offsetPos + (4 * i))..], (uint)payload);
            }

            int size = c.SerializedSizeInBytes;
            c.WritePayload(destination.Slice(payload, size));
            payload += size;
        }

        return payload;
    }

    private static InvalidRoaringFormatException Error(string message, long offset) => new(message, offset);

    private static void Need(ReadOnlySpan<byte> data, int pos, long count, string what)
    {
        if (data.Length - pos < count)
        {
            throw Error($"truncated: {what} needs {count} bytes but {data.Length - pos} remain", pos);
        }
    }

    /// <summary>True for cookie 12347 (container count in its high half, returned); false for 12346 (count follows).</summary>
    private static bool ReadCookie(uint cookie, out int containers)
    {
        if ((cookie & 0xFFFF) == SerialCookie)
        {
            containers = (int)(cookie >> 16) + 1;
            return true;
        }

        containers = 0;
        return cookie == SerialCookieNoRunContainer
            ? false
            : throw Error($"unknown cookie 0x{cookie:X8} (expected {SerialCookieNoRunContainer} or {SerialCookie})", 0);
    }

    /// <summary>The u32 container count that follows cookie 12346.</summary>
    private static int ReadContainerCount(ReadOnlySpan<byte> data)
    {
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        return count <= MaxContainers ? (int)count : throw Error($"container count {count} exceeds {MaxContainers}", 4);
    }

    public static RoaringBitmap Read(ReadOnlySpan<byte> data, out int bytesRead)
    {
        Need(data, 0, 4, "the cookie");
        bool runCookie = ReadCookie(BinaryPrimitives.ReadUInt32LittleEndian(data), out int n);
        ReadOnlySpan<byte> runFlags = default;
        int pos;
        if (runCookie)
        {
            int flagBytes = (n + 7) / 8;
            Need(data, 4, flagBytes, "the run-container flags");
            runFlags = data.Slice(4, flagBytes);
            pos = 4 + flagBytes;
        }
        else
        {
            Need(data, 4, 4, "the container count");
            n = ReadContainerCount(data);
            pos = 8;
        }

        int headerPos = pos;
        Need(data, headerPos, 4L * n, "the descriptive header");
        pos += 4 * n;
        bool hasOffsets = !runCookie || n >= NoOffsetThreshold;
        int offsetPos = pos;
        if (hasOffsets)
        {
            Need(data, offsetPos, 4L * n, "the offset header");
            pos += 4 * n;
        }

        var keys = new ushort[Math.Max(n, ArrayOps.PaddedLength)];
        var containers = new Container[keys.Length];
        for (int i = 0; i < n; i++)
        {
            int h = headerPos + (4 * i);
            ushort key = BinaryPrimitives.ReadUInt16LittleEndian(data[h..]);
            int card = BinaryPrimitives.ReadUInt16LittleEndian(data[(h + 2)..]) + 1;
            if (i > 0 && key <= keys[i - 1])
            {
                throw Error($"container keys are not strictly increasing (key {key} follows {keys[i - 1]})", h);
            }

            if (hasOffsets)
            {
                uint offset = BinaryPrimitives.ReadUInt32LittleEndian(data[(offsetPos + (4 * i))..]);
                if (offset != (uint)pos)
                {
                    throw Error($"offset header gives {offset} for container {i} whose payload starts at {pos}", offsetPos + (4 * i));
                }
            }

            bool isRun = runCookie && (runFlags[i / 8] & (1 << (i % 8))) != 0;
            keys[i] = key;
            containers[i] = isRun ? ReadRun(data, ref pos, card)
                : card <= Container.MaxArraySize ? ReadArray(data, ref pos, card)
                : ReadBitset(data, ref pos, card);
        }

        bytesRead = pos;
        return new RoaringBitmap(keys, containers, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ArrayContainer ReadArray(ReadOnlySpan<byte> data, ref int pos, int card)
    {
        Need(data, pos, 2L * card, "an array container");
        var values = new ushort[Math.Max(card, ArrayOps.PaddedLength)];
        ReadOnlySpan<ushort> raw = MemoryMarshal.Cast<byte, ushort>(data.Slice(pos, 2 * card));
        if (BitConverter.IsLittleEndian)
        {
            raw.CopyTo(values);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(raw, values);
        }

        for (int i = 1; i < card; i++)
        {
            if (values[i] <= values[i - 1])
            {
                throw Error($"array container values are not strictly increasing ({values[i]} follows {values[i - 1]})", pos + (2 * i));
            }
        }

        pos += 2 * card;
        return new ArrayContainer(values, card);
    }

    private static BitsetContainer ReadBitset(ReadOnlySpan<byte> data, ref int pos, int card)
    {
        Need(data, pos, Container.BitsetSizeInBytes, "a bitset container");
        var words = new ulong[BitsetOps.Words];
        ReadOnlySpan<ulong> raw = MemoryMarshal.Cast<byte, ulong>(data.Slice(pos, Container.BitsetSizeInBytes));
        if (BitConverter.IsLittleEndian)
        {
            raw.CopyTo(words);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(raw, words);
        }

        int actual = BitsetOps.Count(words);
        if (actual != card)
        {
            throw Error($"bitset container holds {actual} values but the header declares {card}", pos);
        }

        pos += Container.BitsetSizeInBytes;
        return new BitsetContainer(words, card);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RunContainer ReadRun(ReadOnlySpan<byte> data, ref int pos, int card)
    {
        Need(data, pos, 2, "a run container's run count");
        int runCount = BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
        if (runCount == 0)
        {
            throw Error("run container has no runs", pos);
        }

        Need(data, pos + 2, 4L * runCount, "a run container's runs");
        int start = pos;
        pos += 2;
        var runs = new ushort[2 * runCount];
        int r = 0, previousEnd = -2, total = 0;
        for (int i = 0; i < runCount; i++, pos += 4)
        {
            int s = BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data[(pos + 2)..]);
            int e = s + length;
            if (e > ushort.MaxValue)
            {
                throw Error($"run {s}+{length} ends beyond 65535", pos);
            }

            if (s <= previousEnd)
            {
                throw Error($"runs overlap or are not sorted (run at {s} after a run ending at {previousEnd})", pos);
            }

            total += length + 1;
            if (s == previousEnd + 1)
            {
                // Adjacent runs: valid values, stored merged.
                runs[r - 1] = (ushort)(e - runs[r - 2]);
            }
            else
            {
                runs[r++] = (ushort)s;
                runs[r++] = (ushort)length;
            }

            previousEnd = e;
        }

        if (total != card)
        {
            throw Error($"run container holds {total} values but the header declares {card}", start);
        }

        return new RunContainer(runs, r / 2);
    }

    /// <summary>Reads exactly one bitmap's bytes from a stream (never past its end), then parses them.</summary>
    public static RoaringBitmap Read(Stream stream)
    {
        var buffer = new StreamBuffer(stream);
        buffer.Require(4, "the cookie");
        bool runCookie = ReadCookie(BinaryPrimitives.ReadUInt32LittleEndian(buffer.Data), out int n);
        if (runCookie)
        {
            buffer.Require((n + 7) / 8, "the run-container flags");
        }
        else
        {
            buffer.Require(4, "the container count");
            n = ReadContainerCount(buffer.Data);
        }

        int headerPos = buffer.Length;

        buffer.Require(4 * n, "the descriptive header");
        if (!runCookie || n >= NoOffsetThreshold)
        {
            buffer.Require(4 * n, "the offset header");
        }

        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> flags = buffer.Data.Slice(4, (n + 7) / 8);
            int card = BinaryPrimitives.ReadUInt16LittleEndian(buffer.Data[(headerPos + (4 * i) + 2)..]) + 1;
            if (runCookie && (flags[i / 8] & (1 << (i % 8))) != 0)
            {
                buffer.Require(2, "a run container's run count");
                int runCount = BinaryPrimitives.ReadUInt16LittleEndian(buffer.Data[(buffer.Length - 2)..]);
                buffer.Require(4 * runCount, "a run container's runs");
            }
            else
            {
                buffer.Require(card <= Container.MaxArraySize ? 2 * card : Container.BitsetSizeInBytes, "a container payload");
            }
        }

        RoaringBitmap result = Read(buffer.Data, out int consumed);
        return consumed == buffer.Length
            ? result
            : throw Error("internal size mismatch while reading a stream", consumed);
    }

    /// <summary>Accumulates exactly the bytes requested from a stream, growing only as data actually arrives.</summary>
    private sealed class StreamBuffer(Stream stream)
    {
        private byte[] _data = new byte[256];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Data => _data.AsSpan(0, Length);

        public void Require(int count, string what)
        {
            if (count == 0)
            {
                return;
            }

            if (_data.Length - Length < count)
            {
                long wanted = Math.Max((long)Length + count, Math.Min((long)_data.Length * 2, Array.MaxLength));
                Array.Resize(ref _data, (int)Math.Min(wanted, Array.MaxLength));
            }

            int read = stream.ReadAtLeast(_data.AsSpan(Length, count), count, throwOnEndOfStream: false);
            if (read < count)
            {
                throw Error($"truncated: {what} needs {count} bytes but the stream ended after {read}", Length + read);
            }

            Length += count;
        }
    }
}
