using Onboarding.Engine.CrashHost;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Tests.Ids;

public sealed class IdDictionaryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void GetOrAdd_NewIds_GetDenseOrdinalsFromZero()
    {
        using IdDictionary dictionary = Open();

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal((uint)i, dictionary.GetOrAdd(Id(i)));
        }

        Assert.Equal(1000, dictionary.Count);
    }

    [Fact]
    public void GetOrAdd_SameIdAgain_ReturnsItsOrdinalWithoutAdding()
    {
        using IdDictionary dictionary = Open();
        dictionary.GetOrAdd(Id(1));
        dictionary.GetOrAdd(Id(2));

        Assert.Equal(0u, dictionary.GetOrAdd(Id(1)));
        Assert.Equal(1u, dictionary.GetOrAdd(Id(2)));
        Assert.Equal(2, dictionary.Count);
    }

    [Theory]
    [InlineData(IdType.HemSha2, 32)]
    [InlineData(IdType.HemSha1, 20)]
    [InlineData(IdType.HemMd5, 16)]
    [InlineData(IdType.Maid, 16)]
    [InlineData(IdType.Ip, 4)]
    public void Open_EachIdType_UsesItsKeyLengthAndRoundTripsIds(IdType type, int keyLength)
    {
        string path = _folder.File($"{IdTypes.FileName(type)}.ids");
        using (IdDictionary dictionary = IdDictionary.Open(path, type))
        {
            Assert.Equal(keyLength, dictionary.KeyLength);
            for (int i = 0; i < 5000; i++)
            {
                Assert.Equal((uint)i, dictionary.GetOrAdd(SyntheticIds.Create(i, keyLength)));
            }
        }

        using IdDictionary reopened = IdDictionary.Open(path, type);
        Assert.Equal(5000, reopened.Count);
        byte[] id = new byte[keyLength];
        for (int i = 0; i < 5000; i++)
        {
            reopened.GetId((uint)i, id);
            Assert.Equal(SyntheticIds.Create(i, keyLength), id);
            Assert.True(reopened.TryGetOrdinal(id, out uint ordinal));
            Assert.Equal((uint)i, ordinal);
        }

        Assert.Equal(IdDictionaryHeaderDataOffset + (5000L * keyLength), new FileInfo(path).Length);
    }

    [Fact]
    public void GetOrAdd_WrongKeyLength_ThrowsArgumentException()
    {
        using IdDictionary dictionary = Open();

        Assert.Throws<ArgumentException>(() => dictionary.GetOrAdd(new byte[31]));
        Assert.Throws<ArgumentException>(() => dictionary.GetOrAdd(new byte[33]));
        Assert.Throws<ArgumentException>(() => dictionary.TryGetOrdinal(new byte[16], out _));
        Assert.Throws<ArgumentException>(() => dictionary.GetOrAdd(new byte[64], new uint[3]));
        Assert.Equal(0, dictionary.Count);
    }

    [Fact]
    public void GetOrAddBatch_GivesTheSameOrdinalsAsSingleCalls_IncludingRepeatsWithinTheBatch()
    {
        var random = new Random(5);
        long[] indexes = Enumerable.Range(0, 20_000).Select(_ => (long)random.Next(8_000)).ToArray();
        byte[] ids = new byte[indexes.Length * 32];
        for (int j = 0; j < indexes.Length; j++)
        {
            SyntheticIds.Write(indexes[j], ids.AsSpan(j * 32, 32));
        }

        using IdDictionary single = IdDictionary.Open(_folder.File("single.ids"), IdType.HemSha2);
        using IdDictionary batched = IdDictionary.Open(_folder.File("batched.ids"), IdType.HemSha2);
        uint[] expected = new uint[indexes.Length];
        for (int j = 0; j < indexes.Length; j++)
        {
            expected[j] = single.GetOrAdd(ids.AsSpan(j * 32, 32));
        }

        uint[] actual = new uint[indexes.Length];
        batched.GetOrAdd(ids, actual);

        Assert.Equal(expected, actual);
        Assert.Equal(single.Count, batched.Count);
    }

    [Fact]
    public void TryGetOrdinal_UnknownId_ReturnsFalseAndDoesNotAdd()
    {
        using IdDictionary dictionary = Open();
        dictionary.GetOrAdd(Id(1));

        Assert.False(dictionary.TryGetOrdinal(Id(2), out _));
        Assert.True(dictionary.TryGetOrdinal(Id(1), out uint ordinal));
        Assert.Equal(0u, ordinal);
        Assert.Equal(1, dictionary.Count);
    }

    [Fact]
    public void GetId_OrdinalNotHandedOut_ThrowsArgumentOutOfRange()
    {
        using IdDictionary dictionary = Open();
        dictionary.GetOrAdd(Id(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => dictionary.GetId(1, new byte[32]));
        Assert.Throws<ArgumentException>(() => dictionary.GetId(0, new byte[31]));
    }

    [Fact]
    public void Reopen_AfterManyIds_PreservesEveryOrdinalAndContinuesAfterTheLast()
    {
        const int count = 300_000;
        string path = _folder.File("HEMSHA2.ids");
        using (IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2))
        {
            AddRange(dictionary, 0, count);
        }

        using (IdDictionary reopened = IdDictionary.Open(path, IdType.HemSha2))
        {
            Assert.Equal(count, reopened.Count);
            Assert.Equal(count, reopened.FlushedCount);
            AssertHoldsRange(reopened, count);
            Assert.Equal((uint)count, reopened.GetOrAdd(Id(count)));
            Assert.Equal(17u, reopened.GetOrAdd(Id(17)));
        }

        using IdDictionary again = IdDictionary.Open(path, IdType.HemSha2);
        Assert.Equal(count + 1, again.Count);
    }

    [Fact]
    public void Flush_NothingNew_LeavesTheFileAlone()
    {
        string path = _folder.File("HEMSHA2.ids");
        using IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2);
        dictionary.GetOrAdd(Id(1));
        dictionary.Flush();
        Assert.Equal(1, dictionary.FlushedCount);

        dictionary.Flush();

        Assert.Equal(1, dictionary.FlushedCount);
    }

    [Fact]
    public void RandomOperations_WithReopens_MatchAModel()
    {
        var random = new Random(11);
        var model = new Dictionary<long, uint>();
        string path = _folder.File("HEMSHA2.ids");
        IdDictionary dictionary = IdDictionary.Open(path, IdType.HemSha2);
        try
        {
            for (int step = 0; step < 30_000; step++)
            {
                long index = random.Next(20_000);
                switch (random.Next(1000))
                {
                    case < 600:
                        uint ordinal = dictionary.GetOrAdd(Id(index));
                        Assert.Equal(model.TryGetValue(index, out uint known) ? known : (uint)model.Count, ordinal);
                        model[index] = ordinal;
                        break;
                    case < 985:
                        Assert.Equal(model.TryGetValue(index, out uint expected), dictionary.TryGetOrdinal(Id(index), out uint found));
                        Assert.Equal(expected, found);
                        break;
                    case < 995:
                        dictionary.Flush();
                        break;
                    default:
                        dictionary.Dispose();
                        dictionary = IdDictionary.Open(path, IdType.HemSha2);
                        break;
                }

                Assert.Equal(model.Count, dictionary.Count);
            }
        }
        finally
        {
            dictionary.Dispose();
        }
    }

    [Fact]
    public void Open_FileOfAnotherIdType_ThrowsInvalidDataNamingTheFile()
    {
        string path = _folder.File("x.ids");
        IdDictionary.Open(path, IdType.HemMd5).Dispose();

        var error = Assert.Throws<InvalidDataException>(() => IdDictionary.Open(path, IdType.Maid));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("HemMd5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(20_000)]
    public void Open_FileThatIsNotAnIdDictionary_ThrowsInvalidDataNamingTheFile(int length)
    {
        string path = _folder.File("foreign.ids");
        byte[] bytes = new byte[length];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdDictionary.Open(path, IdType.HemSha2));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not an ID dictionary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderWithWrongKeyLength_ThrowsInvalidDataNamingTheFile()
    {
        string path = _folder.File("HEMSHA2.ids");
        WriteHeaders(path, new IdDictionaryHeader(IdDictionaryHeader.CurrentVersion, IdType.HemSha2, 31, 1, 0, 0, EmptyHash));

        var error = Assert.Throws<InvalidDataException>(() => IdDictionary.Open(path, IdType.HemSha2));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("31-byte records", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NewerFormatVersion_ThrowsInvalidDataNamingTheFile()
    {
        string path = _folder.File("HEMSHA2.ids");
        WriteHeaders(path, new IdDictionaryHeader(2, IdType.HemSha2, 32, 1, 0, 0, EmptyHash));

        var error = Assert.Throws<InvalidDataException>(() => IdDictionary.Open(path, IdType.HemSha2));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FileAlreadyOpen_ThrowsIOException()
    {
        string path = _folder.File("HEMSHA2.ids");
        using IdDictionary first = IdDictionary.Open(path, IdType.HemSha2);

        Assert.ThrowsAny<IOException>(() => IdDictionary.Open(path, IdType.HemSha2));
    }

    [Fact]
    public void Open_MissingFileAndFolder_CreatesAnEmptyDictionary()
    {
        string path = Path.Combine(_folder.Path, "clients", "acme", "ids", "IP.ids");

        using (IdDictionary dictionary = IdDictionary.Open(path, IdType.Ip))
        {
            Assert.Equal(0, dictionary.Count);
            Assert.Equal(IdType.Ip, dictionary.Type);
            Assert.Equal(path, dictionary.Path);
        }

        Assert.Equal(IdDictionaryHeaderDataOffset, new FileInfo(path).Length);
        Assert.False(File.Exists(path + ".creating"));
    }

    [Fact]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        IdDictionary dictionary = Open();
        dictionary.Dispose();

        Assert.Throws<ObjectDisposedException>(() => dictionary.GetOrAdd(Id(1)));
        Assert.Throws<ObjectDisposedException>(() => dictionary.GetId(0, new byte[32]));
        dictionary.Dispose();
    }

    [Fact]
    public async Task GetId_FromAnotherThreadWhileTheWriterAdds_SeesEveryIdBelowCount()
    {
        using IdDictionary dictionary = Open();
        using var stop = new CancellationTokenSource();
        Task reader = Task.Run(() =>
        {
            byte[] id = new byte[32];
            var random = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                long count = dictionary.Count;
                if (count == 0)
                {
                    continue;
                }

                long index = random.NextInt64(count);
                dictionary.GetId((uint)index, id);
                Assert.Equal(Id(index), id);
            }
        });

        AddRange(dictionary, 0, 400_000);
        await stop.CancelAsync();
        await reader;
    }

    internal const long IdDictionaryHeaderDataOffset = IdDictionaryHeader.DataOffset;

    internal static ulong EmptyHash => System.IO.Hashing.XxHash3.HashToUInt64([]);

    internal static byte[] Id(long index) => SyntheticIds.Create(index, 32);

    internal static void AddRange(IdDictionary dictionary, long from, long to)
    {
        const int batch = 10_000;
        byte[] ids = new byte[batch * 32];
        uint[] ordinals = new uint[batch];
        for (long start = from; start < to; start += batch)
        {
            int n = (int)Math.Min(batch, to - start);
            for (int j = 0; j < n; j++)
            {
                SyntheticIds.Write(start + j, ids.AsSpan(j * 32, 32));
            }

            dictionary.GetOrAdd(ids.AsSpan(0, n * 32), ordinals.AsSpan(0, n));
            Assert.Equal((uint)start, ordinals[0]);
        }
    }

    internal static void AssertHoldsRange(IdDictionary dictionary, long count)
    {
        byte[] id = new byte[32];
        byte[] expected = new byte[32];
        for (long i = 0; i < count; i++)
        {
            dictionary.GetId((uint)i, id);
            SyntheticIds.Write(i, expected);
            if (!id.AsSpan().SequenceEqual(expected))
            {
                Assert.Fail($"ordinal {i} holds the wrong ID");
            }
        }

        for (long i = 0; i < count; i += 97)
        {
            Assert.True(dictionary.TryGetOrdinal(Id(i), out uint ordinal), $"ID {i} is missing");
            Assert.Equal((uint)i, ordinal);
        }
    }

    private static void WriteHeaders(string path, IdDictionaryHeader header)
    {
        byte[] pages = new byte[IdDictionaryHeader.DataOffset];
        header.Write(pages);
        (header with { Sequence = 0 }).Write(pages.AsSpan(IdDictionaryHeader.PageSize));
        File.WriteAllBytes(path, pages);
    }

    private IdDictionary Open() => IdDictionary.Open(_folder.File("HEMSHA2.ids"), IdType.HemSha2);
}
