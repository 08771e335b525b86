using Onboarding.Engine.Ingestion;

namespace Onboarding.Engine.Segments;

/// <summary>Fixed when the segment is created: static segments are uploaded once, dynamic ones change.</summary>
public enum SegmentType
{
    Static,
    Dynamic,
}

/// <summary>A segment as the catalog knows it: its identity, type and current version.</summary>
public sealed record SegmentInfo(
    string Client,
    int Id,
    string Group,
    string Segment,
    SegmentType Type,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    int CurrentVersion,
    long Size)
{
    public string Name => $"{Group}={Segment}";
}

/// <summary>One immutable version of a segment and the file that produced it.</summary>
public sealed record SegmentVersionInfo(
    int Version,
    DateTimeOffset Created,
    long Size,
    long Added,
    long Removed,
    IngestionMode Mode,
    string SourceFile,
    long FileSequence);
