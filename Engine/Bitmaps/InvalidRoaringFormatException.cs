namespace Onboarding.Engine.Bitmaps;

/// <summary>
/// The bytes are not a valid Roaring portable-format bitmap: bad cookie, truncated data, keys out of order,
/// or a payload that contradicts its header. The message names the problem and, where known, the byte offset
/// (relative to the start of the bitmap).
/// </summary>
public sealed class InvalidRoaringFormatException : FormatException
{
    public InvalidRoaringFormatException()
        : base("Invalid Roaring bitmap.")
    {
    }

    public InvalidRoaringFormatException(string message)
        : base(message)
    {
    }

    public InvalidRoaringFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a problem found at <paramref name="offset"/>.</summary>
    public InvalidRoaringFormatException(string message, long offset)
        : base($"Invalid Roaring bitmap at byte offset {offset}: {message}")
    {
        Offset = offset;
    }

    /// <summary>Byte offset from the start of the bitmap where the problem was found, or -1 when unknown.</summary>
    public long Offset { get; } = -1;
}
