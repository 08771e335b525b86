namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// The file cannot be read as an onboarding file at all (empty, not text, a missing or wrong header, an
/// unsupported delimiter...). Problems of single rows are <see cref="RowError"/>s instead.
/// </summary>
public sealed class OnboardingFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file name or path, as given to the reader.</param>
    /// <param name="line">The 1-based line, or 0 when the problem concerns the whole file.</param>
    /// <param name="column">The 1-based column, or 0 when the problem concerns the whole line.</param>
    /// <param name="reason">A specific, human-readable reason.</param>
    /// <param name="innerException">The cause, if any.</param>
    public OnboardingFileException(string file, long line, int column, string reason, Exception? innerException = null)
        : base(Describe(file, line, column, reason), innerException)
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file name or path, as given to the reader.</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0 when the problem concerns the whole file.</summary>
    public long Line { get; }

    /// <summary>The 1-based column, or 0 when the problem concerns the whole line.</summary>
    public int Column { get; }

    /// <summary>The reason, without the location.</summary>
    public string Reason { get; }

    private static string Describe(string file, long line, int column, string reason) => (line, column) switch
    {
        (0, _) => $"{file}: {reason}",
        (_, 0) => $"{file}, line {line}: {reason}",
        _ => $"{file}, line {line}, column {column}: {reason}",
    };
}
