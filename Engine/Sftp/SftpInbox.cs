using System.Text.Json.Serialization;

namespace Onboarding.Engine.Sftp;

/// <summary>What happens to a remote file once it is safely in the local inbox.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AfterDownload>))]
public enum AfterDownload
{
    /// <summary>Moved to the remote folder's <c>processed/</c> subfolder.</summary>
    [JsonStringEnumMemberName("move-to-processed")]
    MoveToProcessed,

    /// <summary>Deleted from the server.</summary>
    [JsonStringEnumMemberName("delete")]
    Delete,
}

/// <summary>One SFTP inbox of a client: a remote folder polled on an interval, whose files land in the client's local inbox.</summary>
public sealed record SftpInbox
{
    public const int MaxNameLength = 40;

    public required string Name { get; init; }

    public required string Client { get; init; }

    public required SftpEndpoint Endpoint { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);

    public AfterDownload AfterDownload { get; init; } = AfterDownload.MoveToProcessed;

    public DateTimeOffset Created { get; init; }

    /// <summary>The associated-data scope its secrets are encrypted under (binds them to this client and inbox).</summary>
    [JsonIgnore]
    public string SecretScope => $"sftp-inbox/{Client}/{Name}";

    public void Validate()
    {
        ValidateName(Name);
        Storage.DataFolder.ValidateClientName(Client);
        Endpoint.Validate();
        if (PollInterval < TimeSpan.FromSeconds(1) || PollInterval > TimeSpan.FromDays(1))
        {
            throw new ArgumentException($"The poll interval {PollInterval} is not between 1 second and 1 day.");
        }
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0])
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException(
                $"Inbox name \"{name}\" is not valid: use 1 to {MaxNameLength} letters, digits, '-' or '_', starting with a letter or digit.");
        }
    }
}

/// <summary>What is known about an inbox's polling; kept in its state folder as <c>status.json</c>.</summary>
public sealed record SftpInboxStatus
{
    public DateTimeOffset? LastPoll { get; init; }

    public DateTimeOffset? LastSuccess { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>The last problem (connection, host key, a refused file name...); cleared by a clean poll.</summary>
    public string? LastError { get; init; }

    /// <summary>Failed polls in a row; drives the backoff, reset by a successful poll.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the scheduler polls next (interval after a success, backoff after a failure).</summary>
    public DateTimeOffset? NextPoll { get; init; }

    public long FilesDelivered { get; init; }

    public long BytesDelivered { get; init; }

    public string? LastFile { get; init; }
}
