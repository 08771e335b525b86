using System.Buffers.Binary;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>Boundaries of the API: stream reading, 65536 containers, argument checks, aliasing of operands.</summary>
public class RoaringEdgeCaseTests
{
    [Fact]
    public void DeserializeStream_BitmapsBackToBackOnTricklingNonSeekableStream_ReadsEachExactly()
    {
        RoaringBitmap[] bitmaps = [.. BackToBackSamples()];
        using var buffer = new MemoryStream();
        foreach (RoaringBitmap b in bitmaps)
        {
            b.Serialize(buffer);
        }

        using var trickle = new TrickleStream(buffer.ToArray());
        foreach (RoaringBitmap expected in bitmaps)
        {
            RoaringBitmap actual = RoaringBitmap.Deserialize(trickle);
            BitmapAssert.SequenceEqual([.. expected], [.. actual], "back-to-back bitmap");
        }

        Assert.Throws<InvalidRoaringFormatException>(() => RoaringBitmap.Deserialize(trickle));
    }

    [Fact]
    public void SerializeStream_NonSeekableDestination_WritesSameBytes()
    {
        foreach (RoaringBitmap b in BackToBackSamples())
        {
            using var trickle = new TrickleStream([]);
            b.Serialize(trickle);
            Assert.Equal(b.ToPortableBytes(), trickle.Written);
        }
    }

    [Fact]
    public void SerializeOverloads_AllWriteTheSameBytes_AndDeserializeReportsBytesRead()
    {
        foreach (RoaringBitmap b in BackToBackSamples())
        {
            byte[] viaStream = b.ToPortableBytes();
            Assert.Equal(viaStream, b.Serialize());
            var span = new byte[viaStream.Length + 5];
            Assert.Equal(viaStream.Length, b.Serialize(span));
            Assert.Equal(viaStream, span[..viaStream.Length]);

            Assert.True(b.Equals(RoaringBitmap.Deserialize(span, out int read)));
            Assert.Equal(viaStream.Length, read);
            Assert.True(RoaringBitmap.TryDeserialize(span, out RoaringBitmap? tried, out int triedRead));
            Assert.True(b.Equals(tried));
            Assert.Equal(viaStream.Length, triedRead);
            Assert.False(RoaringBitmap.TryDeserialize(viaStream.AsSpan(0, viaStream.Length - 1), out _, out _));
        }
    }

    [Fact]
    public void Serialize_TooSmallSpan_Throws()
    {
        RoaringBitmap b = RoaringBitmap.FromSorted([1, 2, 3]);
        Assert.ThrowsAny<ArgumentException>(() => b.Serialize(new byte[b.SerializedSizeInBytes() - 1]));
    }

    /// <summary>65536 containers: the 12347 cookie's high half (count − 1) is 65535, and 12346's count is 65536.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Serialize_65536Containers_RoundTripsWithCRoaringLayout(bool runs)
    {
        var values = new List<uint>();
        for (uint key = 0; key <= ushort.MaxValue; key++)
        {
            for (uint low = 0; low < (runs ? 4u : 1u); low++)
            {
                values.Add((key << 16) + (key % 500) + low);
            }
        }

        uint[] expected = [.. values];
        var bitmap = RoaringBitmap.FromSorted(expected);
        bitmap.RunOptimize();
        byte[] bytes = bitmap.ToPortableBytes();

        RoaringDatasetRoundTripTests.AssertSameBytes(SortedReference.Serialize(expected, runOptimized: true), bytes, "65536 containers");
        Assert.Equal(runs ? 12347 : 12346, BinaryPrimitives.ReadUInt16LittleEndian(bytes));
        Assert.Equal(runs ? 65535u : 65536u, runs ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        BitmapAssert.Holds(expected, RoaringBitmap.Deserialize(bytes), "65536 containers read back");
    }

    /// <summary>Cookie 12347 with no run flag set is valid (writers may emit it); we read it and write 12346 back.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Deserialize_RunCookieWithoutRunContainers_ReadsAndReserializesAsNoRunCookie(int containers)
    {
        uint[] values = [.. Enumerable.Range(0, containers).SelectMany(k => (uint[])[((uint)k << 16) + 3, ((uint)k << 16) + 9])];
        var header = new List<byte>();
        void U16(int v) => header.AddRange([(byte)v, (byte)(v >> 8)]);
        void U32(uint v)
        {
            U16((int)(v & 0xFFFF));
            U16((int)(v >> 16));
        }

        U32(12347u | ((uint)(containers - 1) << 16));
        header.AddRange(new byte[(containers + 7) / 8]);
        for (int k = 0; k < containers; k++)
        {
            U16(k);
            U16(1);
        }

        int payloadStart = header.Count + (containers >= 4 ? 4 * containers : 0);
        if (containers >= 4)
        {
            for (int k = 0; k < containers; k++)
            {
                U32((uint)(payloadStart + (4 * k)));
            }
        }

        for (int k = 0; k < containers; k++)
        {
            U16(3);
            U16(9);
        }

        RoaringBitmap bitmap = RoaringBitmap.Deserialize(header.ToArray());
        BitmapAssert.Holds(values, bitmap, "12347 without runs");
        Assert.Equal(12346, BinaryPrimitives.ReadUInt16LittleEndian(bitmap.ToPortableBytes()));
    }

    [Fact]
    public void FromSortedAndAddMany_Duplicates_AreIgnored()
    {
        uint[] withDuplicates = [1, 1, 2, 65536, 65536, 65536, uint.MaxValue, uint.MaxValue];
        BitmapAssert.Holds([1, 2, 65536, uint.MaxValue], RoaringBitmap.FromSorted(withDuplicates), "FromSorted");
        var b = new RoaringBitmap();
        b.AddMany(withDuplicates);
        BitmapAssert.Holds([1, 2, 65536, uint.MaxValue], b, "AddMany");
    }

    [Theory]
    [InlineData(new uint[] { 2, 1 })]
    [InlineData(new uint[] { 65536, 5 })]
    [InlineData(new uint[] { 1, 70000, 69999 })]
    public void FromSortedAndAddMany_Unsorted_ThrowArgumentException(uint[] unsorted)
    {
        Assert.ThrowsAny<ArgumentException>(() => RoaringBitmap.FromSorted(unsorted));
        var b = RoaringBitmap.FromSorted([3]);
        Assert.ThrowsAny<ArgumentException>(() => b.AddMany(unsorted));
    }

    [Fact]
    public void Empty_MinMaxSelectThrow_RankIsZero()
    {
        var empty = new RoaringBitmap();
        Assert.Throws<InvalidOperationException>(() => empty.Min);
        Assert.Throws<InvalidOperationException>(() => empty.Max);
        Assert.Throws<ArgumentOutOfRangeException>(() => empty.Select(0));
        Assert.Equal(0, empty.Rank(uint.MaxValue));
        Assert.Empty(empty);
        Assert.True(empty.Equals(new RoaringBitmap()));
        Assert.Equal(new RoaringBitmap().GetHashCode(), empty.GetHashCode());
        Assert.False(empty.Equals(RoaringBitmap.FromSorted([0])));
    }

    [Fact]
    public void Select_OutOfRange_Throws()
    {
        var b = RoaringBitmap.FromSorted([5, 70000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Select(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Select(-1));
    }

    [Fact]
    public void Ranges_EmptyInvertedAndBeyond2Pow32()
    {
        var b = RoaringBitmap.FromSorted([10, 20]);
        b.AddRange(5, 5);
        b.AddRange(9, 3);
        b.RemoveRange(30, 10);
        BitmapAssert.Holds([10, 20], b, "empty/inverted ranges are no-ops");
        Assert.ThrowsAny<ArgumentException>(() => b.AddRange(0, (1UL << 32) + 1));
        Assert.ThrowsAny<ArgumentException>(() => b.RemoveRange(0, (1UL << 32) + 1));

        b.AddRange(uint.MaxValue - 2, 1UL << 32);
        BitmapAssert.Holds([10, 20, uint.MaxValue - 2, uint.MaxValue - 1, uint.MaxValue], b, "range to 2^32");
        b.RemoveRange(15, 1UL << 32);
        BitmapAssert.Holds([10], b, "remove to 2^32");
    }

    [Fact]
    public void AddRemove_ReturnWhetherTheSetChanged()
    {
        var b = new RoaringBitmap();
        Assert.True(b.Add(7));
        Assert.False(b.Add(7));
        Assert.True(b.Remove(7));
        Assert.False(b.Remove(7));
        Assert.True(b.IsEmpty);
        b.AddRange(0, 70000);
        b.RunOptimize();
        Assert.False(b.Add(65536));
        Assert.True(b.Remove(65536));
        Assert.True(b.Add(65536));
        Assert.True(b.Add(70000));
        Assert.Equal(70001, b.Cardinality);
    }

    [Fact]
    public void CopyToAndToArray_ManyContainers_WriteEveryValue()
    {
        uint[] values = [.. RoaringTestData.Dataset("census1881").SelectMany(a => a).Distinct().Order()];
        var b = RoaringBitmap.FromSorted(values);
        b.RunOptimize();
        var destination = new uint[values.Length + 3];
        Assert.Equal(values.Length, b.CopyTo(destination));
        BitmapAssert.SequenceEqual(values, destination.AsSpan(0, values.Length), "CopyTo");
        BitmapAssert.SequenceEqual(values, b.ToArray(), "ToArray");
        Assert.ThrowsAny<ArgumentException>(() => b.CopyTo(new uint[values.Length - 1]));
    }

    /// <summary>The same instance on both sides, or many times in a wide operation, must neither change nor alias it.</summary>
    [Fact]
    public void Operations_SameInstanceOnBothSides_LeaveItUnchanged()
    {
        foreach (RoaringBitmap x in BackToBackSamples())
        {
            uint[] before = [.. x];
            RoaringBitmap[] results = [x | x, x & x, x ^ x, x - x, RoaringBitmap.Or(x, x, x), RoaringBitmap.And(x, x, x)];
            BitmapAssert.SequenceEqual(before, [.. results[0]], "x | x");
            BitmapAssert.SequenceEqual(before, [.. results[1]], "x & x");
            Assert.True(results[2].IsEmpty && results[3].IsEmpty, "x ^ x, x - x");
            BitmapAssert.SequenceEqual(before, [.. results[4]], "Or(x, x, x)");
            BitmapAssert.SequenceEqual(before, [.. results[5]], "And(x, x, x)");
            foreach (RoaringBitmap r in results)
            {
                r.AddRange(0, 200_000);
                r.Remove(before.Length > 0 ? before[^1] : 0);
            }

            BitmapAssert.SequenceEqual(before, [.. x], "x after mutating every result");
        }
    }

    [Fact]
    public void RemoveRunCompression_AfterRunOptimize_WritesNoRunLayout()
    {
        foreach (uint[] source in RoaringTestData.Dataset("wikileaks-noquotes_srt").Take(40))
        {
            var b = RoaringBitmap.FromSorted(source);
            b.RunOptimize();
            b.RemoveRunCompression();
            Assert.False(b.HasRuns);
            RoaringDatasetRoundTripTests.AssertSameBytes(SortedReference.Serialize(source, runOptimized: false), b.ToPortableBytes(), "RemoveRunCompression");
        }
    }

    [Fact]
    public void RunContainer_GrowsAndShrinksAcrossTypeBoundaries_StaysCorrect()
    {
        // A run container edited value by value through 4096 and back, and a bitset emptied down to one value.
        var b = new RoaringBitmap();
        b.AddRange(0, 8192);
        b.RunOptimize();
        var model = new SortedSet<uint>(Enumerable.Range(0, 8192).Select(i => (uint)i));
        for (uint v = 0; v < 8192; v += 2)
        {
            b.Remove(v);
            model.Remove(v);
        }

        BitmapAssert.Holds([.. model], b, "every other value removed from a run");
        for (uint v = 1; v < 8192; v += 2)
        {
            if (v != 4095)
            {
                b.Remove(v);
                model.Remove(v);
            }
        }

        BitmapAssert.Holds([.. model], b, "one value left");
        b.RunOptimize();
        BitmapAssert.Holds([.. model], b, "one value left, run-optimized");
        Assert.Equal(SortedReference.Serialize([.. model], true), b.ToPortableBytes());
    }

    private static IEnumerable<RoaringBitmap> BackToBackSamples()
    {
        yield return new RoaringBitmap();
        yield return RoaringBitmap.FromSorted([0, uint.MaxValue]);
        foreach (byte[] bytes in RoaringLayoutTests.SmallValidFiles())
        {
            yield return RoaringBitmap.Deserialize(bytes);
        }

        var big = RoaringBitmap.FromSorted(RoaringTestData.Dataset("census1881")[150]);
        big.RunOptimize();
        yield return big;
    }

    /// <summary>A read-only or write-only, non-seekable stream that moves at most 3 bytes per call.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private readonly MemoryStream _written = new();
        private int _position;

        public byte[] Written => _written.ToArray();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(3, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _written.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
