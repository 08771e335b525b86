namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// Why one row of an onboarding file was rejected. The row is skipped; reading goes on.
/// </summary>
/// <param name="Line">The 1-based physical line where the record starts (the header is line 1).</param>
/// <param name="Column">The 1-based column at fault, or <see cref="WholeRow"/> when the row as a whole is at fault
/// (wrong column count, a line too long, malformed quoting).</param>
/// <param name="ColumnName">The column's name as the format defines it (<c>ID Type</c>, <c>ID</c>, <c>Add</c>,
/// <c>Remove</c>), or empty for the whole row.</param>
/// <param name="Reason">A specific, human-readable reason.</param>
/// <param name="Value">The offending value (a cell, an entry of a cell, or the raw line), shortened to
/// <see cref="OnboardingReadOptions.MaxErrorValueLength"/> characters, control characters written as
/// <c>\uXXXX</c>, invalid UTF-8 as U+FFFD. A plaintext e-mail row reports the ID type, never the address.</param>
public sealed record RowError(long Line, int Column, string ColumnName, string Reason, string Value)
{
    /// <summary>The <see cref="Column"/> of errors about the whole row.</summary>
    public const int WholeRow = 0;
}
