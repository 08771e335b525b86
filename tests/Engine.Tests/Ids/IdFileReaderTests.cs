using Onboarding.Engine.CrashHost;
using Onboarding.Engine.Ids;
using static Onboarding.Engine.Tests.Ids.IdDictionaryTests;

namespace Onboarding.Engine.Tests.Ids;

/// <summary>Reading a dictionary file's committed IDs without opening the dictionary, alone and beside a writer.</summary>
public sealed class IdFileReaderTests : IDisposable
{
    private const int KeyLength = 32;
    private readonly TempFolder _folder = new();
    private readonly string _path;

    public IdFileReaderTests() => _path = _folder.File("HEMSHA2.ids");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void GetId_AscendingWithGapsLongerThanAWindow_ThenBackwards_GivesEachOrdinalsId()
    {
        int perWindow = IdFileReader.WindowBytes / KeyLength;
        long count = (3 * perWindow) + 123;
        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            AddRange(dictionary, 0, count);
        }

        using IdFileReader reader = IdFileReader.Open(_path, IdType.HemSha2);

        Assert.Equal(count, reader.Count);
        long[] ordinals =
        [
            0, 1, 2, perWindow - 1, perWindow, perWindow + 5, (2 * perWindow) + 100, count - 2, count - 1, // ascending, skipping
            perWindow - 1, 3, // backwards
        ];
        foreach (long ordinal in ordinals)
        {
            AssertReads(reader, ordinal);
        }

        for (long ordinal = 0; ordinal < count; ordinal += 7)
        {
            AssertReads(reader, ordinal);
        }
    }

    [Fact]
    public void Open_UncommittedTailInTheFile_ReadsOnlyTheCommittedIds_AndLeavesTheFileAsItIs()
    {
        // A crash after the records were written, before the commit record: the file is longer than its commit.
        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            AddRange(dictionary, 0, 1000);
            dictionary.Flush();
            AddRange(dictionary, 1000, 1040);
            dictionary.WritePending();
            dictionary.CloseWithoutFlush();
        }

        long length = new FileInfo(_path).Length;
        Assert.Equal(IdDictionaryHeader.DataOffset + (1040 * KeyLength), length);

        using (IdFileReader reader = IdFileReader.Open(_path, IdType.HemSha2))
        {
            Assert.Equal(1000, reader.Count);
            AssertReads(reader, 999);
            var error = Assert.Throws<InvalidDataException>(() => reader.GetId(1000, new byte[KeyLength]));
            Assert.Contains(_path, error.Message, StringComparison.Ordinal);
            Assert.Contains("1000 committed HEMSHA2 IDs", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(length, new FileInfo(_path).Length);
    }

    [Fact]
    public void Open_WhileAWriterAppendsAndCommits_KeepsTheCountItStartedWith_AndTheWriterIsUnaffected()
    {
        using IdDictionary writer = IdDictionary.Open(_path, IdType.HemSha2);
        AddRange(writer, 0, 1000);
        writer.Flush();
        AddRange(writer, 1000, 1100);
        writer.WritePending();

        using IdFileReader reader = IdFileReader.Open(_path, IdType.HemSha2);
        AddRange(writer, 1100, 2000);
        writer.Flush();

        Assert.Equal(1000, reader.Count);
        for (long ordinal = 0; ordinal < reader.Count; ordinal++)
        {
            AssertReads(reader, ordinal);
        }

        using IdFileReader later = IdFileReader.Open(_path, IdType.HemSha2);
        Assert.Equal(2000, later.Count);
        AssertReads(later, 1999);
        Assert.Equal((uint)2000, writer.GetOrAdd(Id(2000)));
    }

    [Fact]
    public void WriterOpens_WhileAReaderHasTheFile_AndAppends_ThenTheReaderStillReadsItsIds()
    {
        using (IdDictionary first = IdDictionary.Open(_path, IdType.HemSha2))
        {
            AddRange(first, 0, 500);
        }

        using IdFileReader reader = IdFileReader.Open(_path, IdType.HemSha2);
        AssertReads(reader, 0);
        using (IdDictionary writer = IdDictionary.Open(_path, IdType.HemSha2))
        {
            Assert.Equal(500, writer.Count);
            AddRange(writer, 500, 800);

            // Still one writer at a time, readers or not.
            Assert.ThrowsAny<IOException>(() => IdDictionary.Open(_path, IdType.HemSha2));
        }

        for (long ordinal = 0; ordinal < 500; ordinal++)
        {
            AssertReads(reader, ordinal);
        }

        using IdDictionary reopened = IdDictionary.Open(_path, IdType.HemSha2);
        AssertHoldsRange(reopened, 800);
    }

    [Fact]
    public void Open_ForeignFileOrOtherIdType_ThrowsInvalidDataNamingTheFile()
    {
        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            AddRange(dictionary, 0, 10);
        }

        var wrongType = Assert.Throws<InvalidDataException>(() => IdFileReader.Open(_path, IdType.Maid));
        Assert.Contains(_path, wrongType.Message, StringComparison.Ordinal);

        string foreign = _folder.File("foreign.ids");
        File.WriteAllBytes(foreign, new byte[IdDictionaryHeader.DataOffset + 64]);
        var notOne = Assert.Throws<InvalidDataException>(() => IdFileReader.Open(foreign, IdType.HemSha2));
        Assert.Contains("not an ID dictionary", notOne.Message, StringComparison.Ordinal);
    }

    /// <summary>What a reader opened now gives: the IDs a writer opening the file now would give, or the same error.</summary>
    internal static void AssertReaderAgrees(string path, long expectedCount, string situation)
    {
        using IdFileReader reader = IdFileReader.Open(path, IdType.HemSha2);
        Assert.True(expectedCount == reader.Count, $"{situation}: the reader found {reader.Count} committed IDs, expected {expectedCount}");
        for (long ordinal = 0; ordinal < expectedCount; ordinal++)
        {
            AssertReads(reader, ordinal);
        }
    }

    private static void AssertReads(IdFileReader reader, long ordinal)
    {
        byte[] id = new byte[KeyLength];
        reader.GetId((uint)ordinal, id);
        if (!id.AsSpan().SequenceEqual(SyntheticIds.Create(ordinal, KeyLength)))
        {
            Assert.Fail($"ordinal {ordinal} read the wrong ID");
        }
    }
}
