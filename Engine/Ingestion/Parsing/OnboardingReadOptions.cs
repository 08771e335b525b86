namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>How <see cref="OnboardingFileReader"/> reads a file. Change them with a <see langword="with"/> expression.</summary>
public sealed record OnboardingReadOptions
{
    /// <summary>The defaults: plaintext e-mails rejected, lines up to 1 MiB.</summary>
    public static OnboardingReadOptions Default { get; } = new();

    /// <summary>
    /// Whether rows of ID type <c>EMAIL</c> are accepted: the address is trimmed, lowercased and SHA-256 hashed, and the
    /// row becomes a <c>HEMSHA2</c> row. Off by default: such rows are rejected, since we do not take plaintext e-mail.
    /// </summary>
    public bool HashEmails { get; init; }

    /// <summary>
    /// The longest line, in bytes without the line break. A longer line is a row error; only its first
    /// <see cref="MaxLineLength"/> bytes are ever buffered and the rest is skipped up to the next line break.
    /// The header line must fit too. Defaults to 1 MiB.
    /// </summary>
    public int MaxLineLength
    {
        get;
        init => field = value >= 64 ? value : throw new ArgumentOutOfRangeException(nameof(MaxLineLength), value, "at least 64 bytes");
    } = 1 << 20;

    /// <summary>
    /// The largest input, in bytes: a larger file is refused with an <see cref="OnboardingFileException"/> when the
    /// reader gets past this many bytes (nothing of it may be applied). Defaults to 16 GiB, the inbox's decoded-size limit.
    /// </summary>
    public long MaxFileBytes
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), value, "at least 1 byte");
    } = 16L << 30;

    /// <summary>How many characters of an offending value a <see cref="RowError"/> keeps. Defaults to 200.</summary>
    public int MaxErrorValueLength
    {
        get;
        init => field = value >= 16 ? value : throw new ArgumentOutOfRangeException(nameof(MaxErrorValueLength), value, "at least 16");
    } = 200;

    /// <summary>
    /// How many distinct <c>Add</c>/<c>Remove</c> cells are remembered with their parsed segments, so a repeated cell
    /// costs one lookup. Past it, cells are parsed every time (segment names stay interned). Defaults to 65,536.
    /// </summary>
    public int MaxCachedCells { get; init; } = 65_536;
}
