using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// One valid row of an onboarding file. Its spans point into the reader's buffers and are valid until the next
/// call of <see cref="OnboardingFileReader.TryReadNext"/>; copy what you keep.
/// </summary>
public readonly ref struct OnboardingRow
{
    internal OnboardingRow(long line, IdType idType, bool isHashedEmail, ReadOnlySpan<byte> id, SegmentCell adds, SegmentCell removes)
    {
        Line = line;
        IdType = idType;
        IsHashedEmail = isHashedEmail;
        Id = id;
        Adds = adds.Names;
        Removes = removes.Names;
        AddIndexes = adds.Indexes;
        RemoveIndexes = removes.Indexes;
    }

    /// <summary>The 1-based physical line where the record starts (the header is line 1).</summary>
    public long Line { get; }

    /// <summary>The ID type; <see cref="IdType.HemSha2"/> for a hashed <c>EMAIL</c> row.</summary>
    public IdType IdType { get; }

    /// <summary>Whether the row was an <c>EMAIL</c> row hashed because of <see cref="OnboardingReadOptions.HashEmails"/>.</summary>
    public bool IsHashedEmail { get; }

    /// <summary>The binary ID, <see cref="IdTypes.ByteLength"/> bytes (format it with <see cref="IdCodec.Format"/>).</summary>
    public ReadOnlySpan<byte> Id { get; }

    /// <summary>The distinct segments of the <c>Add</c> cell, in the order written (duplicates dropped).</summary>
    public ReadOnlySpan<SegmentName> Adds { get; }

    /// <summary>The distinct segments of the <c>Remove</c> cell, in the order written (duplicates dropped).</summary>
    public ReadOnlySpan<SegmentName> Removes { get; }

    /// <summary>The indexes of <see cref="Adds"/> in <see cref="OnboardingFileReader.Segments"/>: dense per reader, for array lookups.</summary>
    public ReadOnlySpan<int> AddIndexes { get; }

    /// <summary>The indexes of <see cref="Removes"/> in <see cref="OnboardingFileReader.Segments"/>.</summary>
    public ReadOnlySpan<int> RemoveIndexes { get; }
}
