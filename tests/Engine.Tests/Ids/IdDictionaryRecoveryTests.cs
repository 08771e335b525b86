using Onboarding.Engine.Ids;
using static Onboarding.Engine.Tests.Ids.IdDictionaryTests;

namespace Onboarding.Engine.Tests.Ids;

/// <summary>
/// Files as a crash can leave them: cut at any byte of the last batch, garbage after the end, a torn header page.
/// Reopening must give the records of the last complete Flush, intact, and go on from there.
/// </summary>
public sealed class IdDictionaryRecoveryTests : IDisposable
{
    private const int Flushed = 1000;
    private const int Unflushed = 5;
    private const int KeyLength = 32;
    private readonly TempFolder _folder = new();
    private readonly string _path;

    public IdDictionaryRecoveryTests() => _path = _folder.File("HEMSHA2.ids");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_LastBatchCutAtAnyByteOrFollowedByGarbage_GivesThePreviousFlush()
    {
        // Two flushes; the second one's records are then cut, as if the crash came while it was being written.
        WriteTwoFlushes();

        byte[] complete = File.ReadAllBytes(_path);
        long flushedEnd = IdDictionaryHeader.DataOffset + ((long)Flushed * KeyLength);
        var random = new Random(2);
        for (long cut = flushedEnd; cut <= complete.Length; cut++)
        {
            bool whole = cut == complete.Length;
            foreach (int garbage in new[] { 0, random.Next(1, 3 * KeyLength) })
            {
                byte[] damaged = new byte[cut + garbage];
                complete.AsSpan(0, (int)cut).CopyTo(damaged);
                random.NextBytes(damaged.AsSpan((int)cut));
                File.WriteAllBytes(_path, damaged);

                AssertReopensWith(whole ? Flushed + Unflushed : Flushed, $"cut at {cut}, {garbage} bytes of garbage");
            }
        }
    }

    [Fact]
    public void Open_RecordsWrittenButNeverCommitted_AreDroppedAtAnyCut()
    {
        // Records reach the file before Flush (write-behind); a crash before the commit record leaves them there.
        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            AddRange(dictionary, 0, Flushed);
            dictionary.Flush();
            AddRange(dictionary, Flushed, Flushed + Unflushed);
            dictionary.WritePending();
            dictionary.CloseWithoutFlush();
        }

        byte[] complete = File.ReadAllBytes(_path);
        Assert.Equal(IdDictionaryHeader.DataOffset + ((Flushed + Unflushed) * KeyLength), complete.Length);
        for (long cut = IdDictionaryHeader.DataOffset + ((long)Flushed * KeyLength); cut <= complete.Length; cut++)
        {
            File.WriteAllBytes(_path, complete.AsSpan(0, (int)cut).ToArray());

            AssertReopensWith(Flushed, $"cut at {cut}");
        }
    }

    [Fact]
    public void Open_AfterFallingBack_NewIdsTakeTheDroppedOrdinalsAndSurviveAnotherCrash()
    {
        WriteTwoFlushes();

        // The last batch loses its last byte: the commit that claims it is stale.
        using (var file = new FileStream(_path, FileMode.Open))
        {
            file.SetLength(file.Length - 1);
        }

        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            Assert.Equal(Flushed, dictionary.Count);
            byte[] other = Id(1_000_000);
            Assert.Equal((uint)Flushed, dictionary.GetOrAdd(other));
            dictionary.WritePending();
            dictionary.CloseWithoutFlush();
        }

        AssertReopensWith(Flushed, "a crash after the fallback");
    }

    [Fact]
    public void Open_NewestHeaderPageTorn_GivesThePreviousFlush()
    {
        WriteTwoFlushes();

        byte[] bytes = File.ReadAllBytes(_path);
        ulong newest = Math.Max(Sequence(bytes, 0), Sequence(bytes, 1));
        bytes[IdDictionaryHeader.PageOffset(newest) + 30] ^= 0x40;
        File.WriteAllBytes(_path, bytes);

        AssertReopensWith(Flushed, "a torn header page");
    }

    [Fact]
    public void Open_BothHeaderPagesDamaged_ThrowsInvalidDataNamingTheFile()
    {
        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            AddRange(dictionary, 0, 10);
        }

        byte[] bytes = File.ReadAllBytes(_path);
        bytes[20] ^= 1;
        bytes[IdDictionaryHeader.PageSize + 20] ^= 1;
        File.WriteAllBytes(_path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdDictionary.Open(_path, IdType.HemSha2));
        Assert.Contains(_path, error.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, Assert.Throws<InvalidDataException>(() => IdFileReader.Open(_path, IdType.HemSha2)).Message);
    }

    [Fact]
    public void Open_FlushedRecordsMissing_ThrowsInvalidDataInsteadOfForgettingThem()
    {
        WriteTwoFlushes();

        // Both commits lose records: nothing that was flushed may be silently dropped.
        using (var file = new FileStream(_path, FileMode.Open))
        {
            file.SetLength(IdDictionaryHeader.DataOffset + ((Flushed - 1) * KeyLength));
        }

        var error = Assert.Throws<InvalidDataException>(() => IdDictionary.Open(_path, IdType.HemSha2));
        Assert.Contains(_path, error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, Assert.Throws<InvalidDataException>(() => IdFileReader.Open(_path, IdType.HemSha2)).Message);
    }

    [Fact]
    public void Open_CommittedRecordOverwritten_ThrowsInvalidData()
    {
        WriteTwoFlushes();

        // Record 3 (of the first of two flushes) becomes a copy of record 7: the file now holds one ID twice.
        byte[] bytes = File.ReadAllBytes(_path);
        bytes.AsSpan(IdDictionaryHeader.DataOffset + (7 * KeyLength), KeyLength)
            .CopyTo(bytes.AsSpan(IdDictionaryHeader.DataOffset + (3 * KeyLength)));
        File.WriteAllBytes(_path, bytes);

        Assert.Throws<InvalidDataException>(() => IdDictionary.Open(_path, IdType.HemSha2));
    }

    /// <summary>A file of two commits: <see cref="Flushed"/> IDs, then <see cref="Unflushed"/> more.</summary>
    private void WriteTwoFlushes()
    {
        using IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2);
        AddRange(dictionary, 0, Flushed);
        dictionary.Flush();
        AddRange(dictionary, Flushed, Flushed + Unflushed);
    }

    private void AssertReopensWith(long expectedCount, string situation)
    {
        // Before the writer repairs the file: an export reading it must see what the writer will keep.
        IdFileReaderTests.AssertReaderAgrees(_path, expectedCount, situation);
        using (IdDictionary dictionary = IdDictionary.Open(_path, IdType.HemSha2))
        {
            Assert.True(expectedCount == dictionary.Count, $"{situation}: reopened with {dictionary.Count} IDs, expected {expectedCount}");
            AssertHoldsRange(dictionary, expectedCount);
            Assert.Equal((uint)expectedCount, dictionary.GetOrAdd(Id(expectedCount)));
        }

        using IdDictionary again = IdDictionary.Open(_path, IdType.HemSha2);
        Assert.True(expectedCount + 1 == again.Count, $"{situation}: the ID added after reopening was lost");
        Assert.Equal(IdDictionaryHeader.DataOffset + ((expectedCount + 1) * KeyLength), new FileInfo(_path).Length);
    }

    private static ulong Sequence(byte[] file, ulong page)
    {
        Assert.True(IdDictionaryHeader.TryRead(file.AsSpan((int)IdDictionaryHeader.PageOffset(page), IdDictionaryHeader.PageSize), out IdDictionaryHeader header));
        return header.Sequence;
    }
}
