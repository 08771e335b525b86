using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

public class PortableFormatTests
{
    private static readonly string DataDir = Path.Combine(AppContext.BaseDirectory, "TestData", "roaring");

    private static byte[] ReadFile(string name) => File.ReadAllBytes(Path.Combine(DataDir, name));

    /// <summary>The documented content of bitmapwithoutruns.bin / bitmapwithruns.bin.</summary>
    private static uint[] DocumentedValues()
    {
        var values = new List<uint>();
        for (uint k = 0; k < 100000; k += 1000)
        {
            values.Add(k);
        }

        for (uint k = 100000; k < 200000; k++)
        {
            values.Add(3 * k);
        }

        for (uint k = 700000; k < 800000; k++)
        {
            values.Add(k);
        }

        values.Sort();
        return [.. values];
    }

    public static TheoryData<string> ValidFiles => new() { "bitmapwithoutruns.bin", "bitmapwithruns.bin" };

    public static TheoryData<string> CrashProneFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string path in Directory.GetFiles(DataDir, "crashproneinput*.bin").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(path));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Deserialize_ReferenceFile_HoldsDocumentedSet(string file)
    {
        RoaringBitmap bitmap = RoaringBitmap.Deserialize(ReadFile(file));

        Assert.Equal(200_100, bitmap.Cardinality);
        Assert.Equal(799_999u, bitmap.Max);
        Assert.Equal(0u, bitmap.Min);
        Assert.Equal(11, bitmap.ContainerCount);
        Assert.Equal(DocumentedValues(), bitmap.ToArray());
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Serialize_DeserializedReferenceFile_ReproducesBytes(string file)
    {
        byte[] original = ReadFile(file);
        RoaringBitmap bitmap = RoaringBitmap.Deserialize(original, out int bytesRead);

        Assert.Equal(original.Length, bytesRead);
        Assert.Equal(original.Length, bitmap.SerializedSizeInBytes());
        Assert.Equal(original, bitmap.Serialize());
    }

    [Fact]
    public void Serialize_DocumentedSetWithoutRunOptimize_MatchesFileWithoutRuns()
    {
        RoaringBitmap bitmap = RoaringBitmap.FromSorted(DocumentedValues());

        Assert.False(bitmap.HasRuns);
        Assert.Equal(ReadFile("bitmapwithoutruns.bin"), bitmap.Serialize());
    }

    [Fact]
    public void Serialize_DocumentedSetAfterRunOptimize_MatchesFileWithRuns()
    {
        var bitmap = new RoaringBitmap();
        foreach (uint v in DocumentedValues())
        {
            bitmap.Add(v);
        }

        Assert.True(bitmap.RunOptimize());
        Assert.Equal(ReadFile("bitmapwithruns.bin"), bitmap.Serialize());
    }

    [Fact]
    public void RemoveRunCompression_FileWithRuns_SerializesLikeFileWithoutRuns()
    {
        RoaringBitmap bitmap = RoaringBitmap.Deserialize(ReadFile("bitmapwithruns.bin"));

        Assert.True(bitmap.RemoveRunCompression());
        Assert.False(bitmap.HasRuns);
        Assert.Equal(ReadFile("bitmapwithoutruns.bin"), bitmap.Serialize());
    }

    [Theory]
    [MemberData(nameof(CrashProneFiles))]
    public void Deserialize_CrashProneInput_ThrowsInvalidRoaringFormat(string file)
    {
        byte[] data = ReadFile(file);

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(new MemoryStream(data)));
        Assert.False(RoaringBitmap.TryDeserialize(data, out _, out _));
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Deserialize_TruncatedSpan_ThrowsInvalidRoaringFormat(string file)
    {
        byte[] data = ReadFile(file);
        for (int length = 0; length < data.Length; length++)
        {
            int cut = length;
            Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data.AsSpan(0, cut)));
        }
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Deserialize_TruncatedStream_ThrowsInvalidRoaringFormat(string file)
    {
        byte[] data = ReadFile(file);
        for (int length = 0; length < data.Length; length += length < 200 ? 1 : 97)
        {
            var stream = new NonSeekableStream(data.AsSpan(0, length).ToArray());
            Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(stream));
        }
    }

    [Fact]
    public void Deserialize_BackToBackStream_ReadsEachBitmapExactly()
    {
        RoaringBitmap first = RoaringBitmap.Deserialize(ReadFile("bitmapwithruns.bin"));
        RoaringBitmap second = RoaringBitmap.FromSorted([1, 2, 3, 65536, uint.MaxValue]);
        var empty = new RoaringBitmap();
        var buffer = new MemoryStream();
        first.Serialize(buffer);
        second.Serialize(buffer);
        empty.Serialize(buffer);
        first.Serialize(buffer);
        buffer.WriteByte(0x7F);

        var stream = new NonSeekableStream(buffer.ToArray());
        Assert.Equal(first, RoaringBitmap.Deserialize(stream));
        Assert.Equal(second, RoaringBitmap.Deserialize(stream));
        Assert.True(RoaringBitmap.Deserialize(stream).IsEmpty);
        Assert.Equal(first, RoaringBitmap.Deserialize(stream));
        Assert.Equal(0x7F, stream.ReadByte());
    }

    [Fact]
    public void Serialize_EmptyBitmap_WritesNoRunCookieWithZeroContainers()
    {
        byte[] bytes = new RoaringBitmap().Serialize();

        Assert.Equal(new byte[] { 0x3A, 0x30, 0, 0, 0, 0, 0, 0 }, bytes);
        Assert.True(RoaringBitmap.Deserialize(bytes).IsEmpty);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Serialize_RunContainers_OffsetHeaderOnlyFromFourContainers(int containers)
    {
        var bitmap = new RoaringBitmap();
        for (uint k = 0; k < containers; k++)
        {
            bitmap.AddRange(k << 16, (k << 16) + 100);
        }

        bitmap.RunOptimize();
        byte[] bytes = bitmap.Serialize();

        int header = 4 + ((containers + 7) / 8) + (4 * containers) + (containers >= 4 ? 4 * containers : 0);
        Assert.Equal(header + (containers * 6), bytes.Length);
        Assert.Equal(12347 | ((containers - 1) << 16), BitConverter.ToInt32(bytes, 0));
        Assert.Equal(bitmap, RoaringBitmap.Deserialize(bytes));
    }

    [Fact]
    public void Deserialize_RunContainerAbove4096Values_IsReadAsRuns()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(10, 20_000);
        bitmap.RunOptimize();

        RoaringBitmap copy = RoaringBitmap.Deserialize(bitmap.Serialize());

        Assert.Equal(19_990, copy.Cardinality);
        Assert.True(copy.HasRuns);
        Assert.Equal(bitmap.Serialize(), copy.Serialize());
    }

    [Fact]
    public void Deserialize_BadCookie_ThrowsWithOffset()
    {
        var ex = Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize([1, 2, 3, 4, 0, 0, 0, 0]));

        Assert.Equal(0, ex.Offset);
        Assert.Contains("cookie", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_TooManyContainers_Throws()
    {
        byte[] data = [0x3A, 0x30, 0, 0, 0x01, 0x00, 0x01, 0x00];

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(new MemoryStream(data)));
    }

    private static byte[] Valid(Action<RoaringBitmap> build, bool runOptimize = false)
    {
        var bitmap = new RoaringBitmap();
        build(bitmap);
        if (runOptimize)
        {
            bitmap.RunOptimize();
        }

        return bitmap.Serialize();
    }

    [Fact]
    public void Deserialize_KeysOutOfOrder_Throws()
    {
        byte[] data = Valid(b =>
        {
            b.Add(1);
            b.Add(1u << 16);
        });

        // Swap the two keys in the descriptive header (cookie 12346: header at 8).
        (data[8], data[12]) = (data[12], data[8]);
        var ex = Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
        Assert.Contains("increasing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_DuplicateKeys_Throws()
    {
        byte[] data = Valid(b =>
        {
            b.Add(1);
            b.Add(1u << 16);
        });
        data[12] = data[8];
        data[13] = data[9];

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_UnsortedArrayValues_Throws()
    {
        byte[] data = Valid(b =>
        {
            b.Add(5);
            b.Add(9);
        });

        // Payload at 8 + 8: values 5, 9 → 9, 5.
        (data[16], data[18]) = (data[18], data[16]);
        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_DuplicatedArrayValues_Throws()
    {
        byte[] data = Valid(b =>
        {
            b.Add(5);
            b.Add(9);
        });
        data[18] = 5;

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_BitsetPopcountDisagreesWithCardinality_Throws()
    {
        byte[] data = Valid(b => b.AddMany([.. Enumerable.Range(0, 5000).Select(i => (uint)i)]));
        Assert.Equal(8 + 8 + 8192, data.Length);

        data[16 + 1000] ^= 0x01;
        var ex = Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
        Assert.Contains("declares", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_RunTotalDisagreesWithCardinality_Throws()
    {
        // Cookie 12347, one container, run flag, key 0, card-1 = 9, one run (start 0, length-1 = 10): 11 values.
        byte[] data = [0x3B, 0x30, 0, 0, 0x01, 0, 0, 9, 0, 1, 0, 0, 0, 10, 0];

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_RunPastEndOfContainer_Throws()
    {
        // One run starting at 65530 with 10 values: ends at 65539.
        byte[] data = [0x3B, 0x30, 0, 0, 0x01, 0, 0, 9, 0, 1, 0, 0xFA, 0xFF, 9, 0];

        var ex = Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
        Assert.Contains("65535", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_OverlappingRuns_Throws()
    {
        // Two runs: [0..9] and [5..14], declared 20 values.
        byte[] data = [0x3B, 0x30, 0, 0, 0x01, 0, 0, 19, 0, 2, 0, 0, 0, 9, 0, 5, 0, 9, 0];

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_UnsortedRuns_Throws()
    {
        // Two runs: [20..29] and [0..9], declared 20 values.
        byte[] data = [0x3B, 0x30, 0, 0, 0x01, 0, 0, 19, 0, 2, 0, 20, 0, 9, 0, 0, 0, 9, 0];

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_AdjacentRuns_AreAcceptedAndMerged()
    {
        // Two runs: [0..9] and [10..19], declared 20 values.
        byte[] data = [0x3B, 0x30, 0, 0, 0x01, 0, 0, 19, 0, 2, 0, 0, 0, 9, 0, 10, 0, 9, 0];

        RoaringBitmap bitmap = RoaringBitmap.Deserialize(data);

        Assert.Equal(20, bitmap.Cardinality);
        Assert.Equal(19u, bitmap.Max);
    }

    [Fact]
    public void Deserialize_WrongOffsetHeader_Throws()
    {
        byte[] data = Valid(b => b.Add(7));
        data[12] = 99;

        var ex = Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
        Assert.Equal(12, ex.Offset);
    }

    [Fact]
    public void Deserialize_HugeDeclaredRunCountOnShortStream_ThrowsWithoutLargeAllocation()
    {
        // Cookie 12347 with 65536 containers declared but only a few bytes present.
        byte[] data = [0x3B, 0x30, 0xFF, 0xFF, 1, 2, 3];

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(new NonSeekableStream(data)));
        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(data));
    }

    [Fact]
    public void Deserialize_TrailingBytes_ReportsBytesRead()
    {
        byte[] bitmap = Valid(b => b.AddRange(0, 100_000));
        byte[] data = [.. bitmap, 1, 2, 3];

        RoaringBitmap result = RoaringBitmap.Deserialize(data, out int bytesRead);

        Assert.Equal(bitmap.Length, bytesRead);
        Assert.Equal(100_000, result.Cardinality);
    }

    /// <summary>A read-only, forward-only stream that returns at most a few bytes per read.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1000), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
