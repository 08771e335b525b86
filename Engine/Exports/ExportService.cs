using Onboarding.Engine.Audit;
using Onboarding.Engine.Exports.Csv;
using Onboarding.Engine.Exports.Destinations;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Exports.Pgp;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Exports;

/// <summary>A new SFTP destination's settings, with its secrets still in the clear (they are encrypted on save).</summary>
public sealed record SftpDestinationRequest(string Host, int Port, string User, string Path, string HostKeyFingerprint)
{
    public Secret? Password { get; init; }

    public Secret? PrivateKey { get; init; }

    public Secret? Passphrase { get; init; }
}

/// <summary>What <see cref="ExportService.TestDestinationAsync"/> did, step by step, and the error that stopped it.</summary>
public sealed record DestinationTestResult(string Destination, bool Succeeded, IReadOnlyList<string> Steps, string? Error);

/// <summary>
/// The rules of a client's export configuration: names, references between exports, destinations and
/// encryptions, validation of every field before anything is saved. The CLI (and later the TUI) call only this and
/// <see cref="ExportRunner"/>.
/// </summary>
public sealed class ExportService
{
    private const int MaxNameLength = 80;
    private readonly SecretProtector? _protector;
    private readonly SftpConnector? _connector;
    private readonly TimeProvider _time;
    private readonly AuditLog _audit;
    private readonly string _actor;
    private readonly ExportPolicy _policy;

    /// <param name="protector">Needed to add or reach SFTP destinations (their secrets); listing works without it.</param>
    /// <param name="actor">Who makes the changes, for the audit log (the operating-system user when not given).</param>
    /// <param name="policy">This client's configured export rules, for what is not set for the client itself.</param>
    public ExportService(string dataFolder, string client, SecretProtector? protector = null, TimeProvider? time = null, SftpConnector? connector = null, string? actor = null, ExportPolicy? policy = null)
    {
        _policy = policy ?? new ExportPolicy();
        Store = new ExportStore(dataFolder, client);
        _protector = protector;
        _connector = connector ?? (protector is null ? null : new SftpConnector(protector));
        _time = time ?? TimeProvider.System;
        _audit = AuditLog.For(Store.DataFolder, _time);
        _actor = actor ?? AuditLog.DefaultActor;
    }

    public ExportStore Store { get; }

    public string Client => Store.Client;

    public Destination AddSftpDestination(string name, SftpDestinationRequest request, string createdBy)
    {
        CheckName(name, "destination");
        SecretProtector protector = _protector ?? throw new InvalidOperationException("Adding an SFTP destination needs the secret protector.");
        string scope = Store.SecretScope(name);
        var endpoint = new SftpEndpoint
        {
            Host = request.Host,
            Port = request.Port,
            User = request.User,
            RemoteFolder = request.Path,
            HostKeyFingerprint = SftpEndpoint.NormalizeFingerprint(request.HostKeyFingerprint),
            Password = request.Password is { } p ? protector.Protect(p, scope + "/password") : null,
            PrivateKey = request.PrivateKey is { } k ? protector.Protect(k, scope + "/private-key") : null,
            Passphrase = request.Passphrase is { } f ? protector.Protect(f, scope + "/passphrase") : null,
        };
        endpoint.Validate();
        if (request.PrivateKey is { } key)
        {
            SftpConnector.CheckPrivateKey(key.Reveal(), request.Passphrase?.Reveal());
        }

        var destination = new Destination { Name = name, Type = DestinationType.Sftp, Sftp = endpoint, CreatedBy = createdBy, CreatedOn = _time.GetUtcNow() };
        Store.AddDestination(destination);
        Audit(AuditActions.DestinationChange, name, $"added {destination.Display}", createdBy);
        return destination;
    }

    public Destination AddFolderDestination(string name, string folder, string createdBy)
    {
        CheckName(name, "destination");
        if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathFullyQualified(folder))
        {
            throw new ExportException($"The folder of destination \"{name}\" must be an absolute path, not \"{folder}\".");
        }

        var destination = new Destination { Name = name, Type = DestinationType.Folder, Folder = Path.GetFullPath(folder), CreatedBy = createdBy, CreatedOn = _time.GetUtcNow() };
        Store.AddDestination(destination);
        Audit(AuditActions.DestinationChange, name, $"added {destination.Display}", createdBy);
        return destination;
    }

    public Destination GetDestination(string name) =>
        Store.FindDestination(name) ?? throw new ExportException($"Client {Client} has no destination named \"{name}\" (see onboard destination list).");

    public void RemoveDestination(string name)
    {
        if (!Store.RemoveDestination(name))
        {
            throw new ExportException($"Client {Client} has no destination named \"{name}\".");
        }

        Audit(AuditActions.DestinationChange, name, "removed");
    }

    /// <summary>Saves an encryption after checking that every key has a usable encryption (sub)key now.</summary>
    public Encryption AddEncryption(string name, IReadOnlyList<string> armoredPublicKeys, string createdBy)
    {
        CheckName(name, "encryption");
        IReadOnlyList<(Org.BouncyCastle.Bcpg.OpenPgp.PgpPublicKey Key, PgpRecipient Recipient)> recipients = PgpRecipients.Resolve(armoredPublicKeys, _time.GetUtcNow());
        var encryption = new Encryption
        {
            Name = name,
            PublicKeys = armoredPublicKeys,
            Recipients = [.. recipients.Select(r => r.Recipient)],
            CreatedBy = createdBy,
            CreatedOn = _time.GetUtcNow(),
        };
        Store.AddEncryption(encryption);
        Audit(AuditActions.EncryptionChange, name, $"added, recipients {string.Join(", ", encryption.Recipients.Select(r => r.PrimaryKeyId))}", createdBy);
        return encryption;
    }

    public Encryption GetEncryption(string name) =>
        Store.FindEncryption(name) ?? throw new ExportException($"Client {Client} has no encryption named \"{name}\" (see onboard encryption list).");

    public void RemoveEncryption(string name)
    {
        if (!Store.RemoveEncryption(name))
        {
            throw new ExportException($"Client {Client} has no encryption named \"{name}\".");
        }

        Audit(AuditActions.EncryptionChange, name, "removed");
    }

    /// <summary>Connects to a destination, writes a small temporary file and deletes it; reports each step (changes nothing).</summary>
    public async Task<DestinationTestResult> TestDestinationAsync(string destinationName, CancellationToken cancellation)
    {
        Destination destination = GetDestination(destinationName);
        var steps = new List<string>();
        string probe = $".onboard-write-test-{Guid.NewGuid():N}.part";
        try
        {
            IExportDestination target = OpenDestination(destination);
            await using (DeliveryTarget delivery = await target.OpenAsync(probe, probe, cancellation).ConfigureAwait(false))
            {
                steps.Add(destination.Type == DestinationType.Sftp
                    ? $"connected; host key matches the pin SHA256:{destination.Sftp!.HostKeyFingerprint}; authenticated as {destination.Sftp.User} ({destination.Sftp.Authentication})"
                    : $"folder {destination.Folder} exists");
                delivery.Content.Write("onboard destination test\n"u8);
            }

            // Disposing the uncommitted file deleted it; deleting again proves the delete worked (or says why not).
            await target.DeleteIfExistsAsync(probe, cancellation).ConfigureAwait(false);
            steps.Add($"wrote and deleted {probe} in {destination.Path}");
            return new DestinationTestResult(destination.Display, true, steps, null);
        }
        catch (Exception ex) when (ex is DeliveryException or SftpException or SecretKeyException or IOException or UnauthorizedAccessException or Renci.SshNet.Common.SshException)
        {
            return new DestinationTestResult(destination.Display, false, steps, ex.Message);
        }
    }

    /// <summary>The destination's delivery side (SFTP through the pinned-host-key connector, or a local folder).</summary>
    public IExportDestination OpenDestination(Destination destination) => destination.Type switch
    {
        DestinationType.Sftp => new SftpDestination(
            _connector ?? throw new InvalidOperationException("Reaching an SFTP destination needs the secret protector."), destination.Sftp!, Store.SecretScope(destination.Name)),
        _ => new FolderDestination(destination.Folder!),
    };

    public ExportConfiguration Create(ExportConfiguration export)
    {
        CheckName(export.Name, "export");
        DateTimeOffset now = _time.GetUtcNow();
        ExportConfiguration created = export with { CreatedOn = now, ModifiedOn = now };
        Validate(created);
        Store.AddExport(created);
        Audit(AuditActions.ExportChange, created.Name, $"created ({created.State.ToString().ToLowerInvariant()}) for audience \"{created.Audience}\" to destination \"{created.Destination}\"", created.CreatedBy);
        return created;
    }

    /// <summary>Changes an export (not its name); a canceled export is final.</summary>
    public ExportConfiguration Update(string name, Func<ExportConfiguration, ExportConfiguration> change)
    {
        ExportConfiguration updated = Store.UpdateExport(name, current =>
        {
            if (current.State == ExportState.Canceled)
            {
                throw new ExportException($"Export \"{name}\" is canceled; canceled exports cannot be changed. Create a new one.");
            }

            ExportConfiguration updated = change(current) with { Name = current.Name, CreatedBy = current.CreatedBy, CreatedOn = current.CreatedOn, ModifiedOn = _time.GetUtcNow() };
            Validate(updated);
            return updated;
        });
        Audit(AuditActions.ExportChange, name, $"updated: audience \"{updated.Audience}\", destination \"{updated.Destination}\", encryption \"{updated.Encryption ?? "none"}\"");
        return updated;
    }

    public ExportConfiguration Activate(string name) => SetState(name, ExportState.Active);

    public ExportConfiguration Pause(string name) => SetState(name, ExportState.Paused);

    /// <summary>Stops an export for good (its history stays).</summary>
    public ExportConfiguration Cancel(string name) => SetState(name, ExportState.Canceled);

    public ExportConfiguration Get(string name) =>
        Store.FindExport(name) ?? throw new ExportException($"Client {Client} has no export named \"{name}\" (see onboard export list).");

    public IReadOnlyList<ExportConfiguration> List() => Store.ListExports();

    /// <summary>The exports the scheduler may run: the active ones.</summary>
    public IReadOnlyList<ExportConfiguration> Active() => [.. Store.ListExports().Where(e => e.State == ExportState.Active)];

    /// <summary>The minimum export size in force: the one set for this client, else the configured one.</summary>
    public EffectiveMinimumAudienceSize MinimumAudienceSize() =>
        Store.ReadSettings() is { MinimumAudienceSize: { } own } settings
            ? new EffectiveMinimumAudienceSize(own, SettingSource.Client, settings.MinimumAudienceSizeSetOn, settings.MinimumAudienceSizeSetBy)
            : new EffectiveMinimumAudienceSize(_policy.MinimumAudienceSize, SettingSource.Configuration);

    /// <summary>Sets this client's own minimum export size; it wins over the configured one until cleared.</summary>
    public EffectiveMinimumAudienceSize SetMinimumAudienceSize(long size)
    {
        if (size < 1)
        {
            throw new ExportException($"The minimum audience size must be at least 1, not {size}.");
        }

        Store.WriteSettings(Store.ReadSettings() with { MinimumAudienceSize = size, MinimumAudienceSizeSetOn = _time.GetUtcNow(), MinimumAudienceSizeSetBy = _actor });
        Audit(AuditActions.ExportChange, "settings", $"minimum audience size set to {size} for this client");
        return MinimumAudienceSize();
    }

    /// <summary>Forgets this client's own minimum export size: the configured one applies again.</summary>
    public EffectiveMinimumAudienceSize ClearMinimumAudienceSize()
    {
        Store.WriteSettings(Store.ReadSettings() with { MinimumAudienceSize = null, MinimumAudienceSizeSetOn = null, MinimumAudienceSizeSetBy = null });
        Audit(AuditActions.ExportChange, "settings", $"minimum audience size of this client cleared; the configured {_policy.MinimumAudienceSize} applies");
        return MinimumAudienceSize();
    }

    /// <summary>Checks every field of an export; the first problem is thrown as <see cref="ExportException"/> naming the field.</summary>
    public void Validate(ExportConfiguration export)
    {
        if (string.IsNullOrWhiteSpace(export.Audience))
        {
            throw new ExportException($"Export \"{export.Name}\": the audience is empty.");
        }

        FileNameTemplate.Validate(export.FileNameTemplate);
        try
        {
            export.Schedule.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ExportException($"Export \"{export.Name}\": {ex.Message}", ex);
        }

        _ = ExportColumn.ParseAll(export.Format.Columns);
        if (export.Content == ContentMode.Delta && export.Format.FieldDelimiter == FieldDelimiter.Semicolon)
        {
            throw new ExportException($"Export \"{export.Name}\": a delta export is written in the onboarding layout, whose delimiter is comma, tab or pipe, not semicolon.");
        }

        _ = GetDestination(export.Destination);
        if (export.Encryption is { } encryption)
        {
            _ = GetEncryption(encryption);
        }

        foreach (string address in export.NotifyEmails)
        {
            try
            {
                _ = EmailAddresses.Normalize(address);
            }
            catch (ArgumentException ex)
            {
                throw new ExportException($"Export \"{export.Name}\": {ex.Message}", ex);
            }
        }
    }

    private ExportConfiguration SetState(string name, ExportState state)
    {
        ExportConfiguration changed = Store.UpdateExport(name, current => current.State == ExportState.Canceled && state != ExportState.Canceled
            ? throw new ExportException($"Export \"{name}\" is canceled for good; it cannot be {(state == ExportState.Active ? "activated" : "paused")}. Create a new one.")
            : current with { State = state, ModifiedOn = _time.GetUtcNow() });
        Audit(AuditActions.ExportChange, name, $"state {state.ToString().ToLowerInvariant()}");
        return changed;
    }

    private void Audit(string action, string target, string details, string? actor = null) => _audit.Record(actor ?? _actor, action, Client, target, details);

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0])
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ExportException(
                $"The {what} name \"{name}\" is not valid: use 1 to {MaxNameLength} letters, digits, '-', '_' or '.', starting with a letter or digit.");
        }
    }
}
