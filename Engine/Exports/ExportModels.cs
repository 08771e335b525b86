using System.Text.Json.Serialization;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Exports;

[JsonConverter(typeof(JsonStringEnumConverter<DestinationType>))]
public enum DestinationType
{
    /// <summary>A folder on an SFTP server (the product's destination type).</summary>
    [JsonStringEnumMemberName("sftp")]
    Sftp,

    /// <summary>A local folder (a mounted share, or scripts and tests).</summary>
    [JsonStringEnumMemberName("folder")]
    Folder,
}

/// <summary>Where export files are delivered. Secrets are kept only as protected secrets inside <see cref="Sftp"/>.</summary>
public sealed record Destination
{
    public required string Name { get; init; }

    public required DestinationType Type { get; init; }

    /// <summary>The server, credentials, remote folder and pinned host key of an SFTP destination.</summary>
    public SftpEndpoint? Sftp { get; init; }

    /// <summary>The local folder of a folder destination.</summary>
    public string? Folder { get; init; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedOn { get; init; }

    /// <summary>The folder files land in (remote for SFTP).</summary>
    [JsonIgnore]
    public string Path => Type == DestinationType.Sftp ? Sftp!.RemoteFolder : Folder!;

    /// <summary>user@host:port/path or the local folder, for messages and history (no secret).</summary>
    [JsonIgnore]
    public string Display => Type == DestinationType.Sftp ? $"sftp://{Sftp!.Display}" : Folder!;
}

/// <summary>One recipient public key of an encryption, as validated when it was saved.</summary>
public sealed record PgpRecipient(string UserId, string PrimaryKeyId, string EncryptionKeyId, string Algorithm, DateTimeOffset Created, DateTimeOffset? Expires);

/// <summary>An OpenPGP encryption: every export file is encrypted to each of its public keys.</summary>
public sealed record Encryption
{
    public required string Name { get; init; }

    /// <summary>Always "pgp" today.</summary>
    public string Type { get; init; } = "pgp";

    /// <summary>The armored public keys, as given.</summary>
    public required IReadOnlyList<string> PublicKeys { get; init; }

    /// <summary>What was found in <see cref="PublicKeys"/> (for display; the keys are re-checked on every run).</summary>
    public IReadOnlyList<PgpRecipient> Recipients { get; init; } = [];

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedOn { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ExportState>))]
public enum ExportState
{
    [JsonStringEnumMemberName("active")]
    Active,

    [JsonStringEnumMemberName("paused")]
    Paused,

    /// <summary>Stopped for good: never runs again.</summary>
    [JsonStringEnumMemberName("canceled")]
    Canceled,
}

[JsonConverter(typeof(JsonStringEnumConverter<ContentMode>))]
public enum ContentMode
{
    /// <summary>Every member of the audience.</summary>
    [JsonStringEnumMemberName("full")]
    Full,

    /// <summary>Who entered and who left since the last successful run, in the onboarding layout.</summary>
    [JsonStringEnumMemberName("delta")]
    Delta,
}

[JsonConverter(typeof(JsonStringEnumConverter<RecordDelimiter>))]
public enum RecordDelimiter
{
    [JsonStringEnumMemberName("lf")]
    Lf,

    [JsonStringEnumMemberName("crlf")]
    CrLf,
}

[JsonConverter(typeof(JsonStringEnumConverter<FieldDelimiter>))]
public enum FieldDelimiter
{
    [JsonStringEnumMemberName("comma")]
    Comma,

    [JsonStringEnumMemberName("tab")]
    Tab,

    [JsonStringEnumMemberName("pipe")]
    Pipe,

    [JsonStringEnumMemberName("semicolon")]
    Semicolon,
}

/// <summary>The CSV layout (SessionM's "Attributes" step): header row, delimiters and the columns.</summary>
public sealed record ExportFormat
{
    public bool Header { get; init; } = true;

    public RecordDelimiter RecordDelimiter { get; init; } = RecordDelimiter.Lf;

    public FieldDelimiter FieldDelimiter { get; init; } = FieldDelimiter.Comma;

    /// <summary>At least one of <c>id</c>, <c>id_type</c>, <c>audience</c>, <c>export_date</c>, <c>segments:&lt;Group&gt;</c>.</summary>
    public IReadOnlyList<string> Columns { get; init; } = ["id_type", "id"];
}

/// <summary>A configured delivery of an audience (SessionM's Setup, Attributes and Notification steps).</summary>
public sealed record ExportConfiguration
{
    public required string Name { get; init; }

    /// <summary>The audience (or audience snapshot) exported.</summary>
    public required string Audience { get; init; }

    /// <summary>The file name with tokens: <c>{audience}</c>, <c>{export}</c>, and date/time formats such as <c>{yyyyMMdd_HHmm}</c>.</summary>
    public required string FileNameTemplate { get; init; }

    public ExportState State { get; init; } = ExportState.Paused;

    public ExportSchedule Schedule { get; init; } = new();

    public ExportFormat Format { get; init; } = new();

    public ContentMode Content { get; init; } = ContentMode.Full;

    public required string Destination { get; init; }

    public string? Encryption { get; init; }

    public IReadOnlyList<string> NotifyEmails { get; init; } = [];

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedOn { get; init; }

    public DateTimeOffset ModifiedOn { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ExportRunState>))]
public enum ExportRunState
{
    [JsonStringEnumMemberName("scheduled")]
    Scheduled,

    [JsonStringEnumMemberName("in-progress")]
    InProgress,

    [JsonStringEnumMemberName("complete")]
    Complete,

    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("canceled")]
    Canceled,
}

/// <summary>One run of an export: a row of its history. Every state change is durable before the run moves on.</summary>
public sealed record ExportRun
{
    public required long Id { get; init; }

    public required string Export { get; init; }

    public required string Audience { get; init; }

    public required ExportRunState State { get; init; }

    /// <summary>The delivery time the run is for (the scheduler's instant, or when it was asked for).</summary>
    public required DateTimeOffset ScheduledFor { get; init; }

    /// <summary>1 for the first try of <see cref="ScheduledFor"/>, 2 for its first retry, …</summary>
    public int Attempt { get; init; } = 1;

    public DateTimeOffset? Started { get; init; }

    public DateTimeOffset? Ended { get; init; }

    public long Rows { get; init; }

    public long Bytes { get; init; }

    public string? FileName { get; init; }

    /// <summary>The destination as it was at run time (display form).</summary>
    public string? Destination { get; init; }

    /// <summary>The temporary name being written while in progress (deleted or renamed at the end).</summary>
    public string? TemporaryName { get; init; }

    public string? Error { get; init; }

    /// <summary>
    /// Set on a failed run's last attempt when the scheduler stopped retrying (cancel window closed, superseded by a
    /// newer run, export paused or canceled): why. A failed row without it is still eligible for retry.
    /// </summary>
    public string? RetriesEnded { get; init; }

    /// <summary>What became of the e-mail notification when the run ended ("sent to ...", "recorded, not sent: ...").</summary>
    public string? Notification { get; init; }

    [JsonIgnore]
    public bool IsFinished => State is ExportRunState.Complete or ExportRunState.Failed or ExportRunState.Canceled;
}

/// <summary>The export rules every client gets unless it has its own (<see cref="ExportSettings"/>); the host configures them.</summary>
public sealed record ExportPolicy
{
    public const long DefaultMinimumAudienceSize = 100;

    /// <summary>An audience smaller than this is never exported, so tiny audiences cannot single people out.</summary>
    public long MinimumAudienceSize { get; init; } = DefaultMinimumAudienceSize;
}

/// <summary>
/// The export rules set for one client (<c>onboard export settings</c>), kept in its data folder. A rule not set here
/// is the configured <see cref="ExportPolicy"/>'s: a value set for the client always wins over configuration.
/// </summary>
public sealed record ExportSettings
{
    /// <summary>This client's own minimum export size; null: the configured one applies.</summary>
    public long? MinimumAudienceSize { get; init; }

    public DateTimeOffset? MinimumAudienceSizeSetOn { get; init; }

    public string? MinimumAudienceSizeSetBy { get; init; }
}

/// <summary>Where a client's minimum export size comes from.</summary>
public enum SettingSource
{
    /// <summary>The host's configuration (<see cref="ExportPolicy"/>).</summary>
    Configuration,

    /// <summary>Set for this client (<see cref="ExportSettings"/>).</summary>
    Client,
}

/// <summary>The minimum export size in force for a client, and where it comes from (when and by whom, if set for the client).</summary>
public sealed record EffectiveMinimumAudienceSize(long Value, SettingSource Source, DateTimeOffset? SetOn = null, string? SetBy = null);

/// <summary>An export rule was broken (unknown name, invalid value, a run refused): nothing changed. The message says what and where.</summary>
public sealed class ExportException(string message, Exception? inner = null) : Exception(message, inner);
