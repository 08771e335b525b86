using System.Text;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Security;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>Configuration rules: validation messages, references, states, and destination secrets at rest.</summary>
public sealed class ExportServiceTests : IDisposable
{
    private readonly ExportHarness _h = new();

    [Theory]
    [InlineData("{audience}_{yyyyMMdd}.{ext}", "Unknown token {ext} in the file name template \"{audience}_{yyyyMMdd}.{ext}\"")]
    [InlineData("../{audience}.csv", "The file name template \"../{audience}.csv\" gives \"../Gold.csv\", which is not a safe file name")]
    [InlineData("{audience.csv", "The file name template \"{audience.csv\" has an unbalanced brace.")]
    public void Create_BadFileNameTemplate_IsRefusedSayingWhy(string template, string message)
    {
        var error = Assert.Throws<ExportException>(() => _h.Export(change: e => e with { FileNameTemplate = template }));
        Assert.StartsWith(message.Replace("../Gold.csv", "../audience.csv", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Exports.List());
    }

    [Fact]
    public void Create_InvalidFields_AreRefusedNamingTheField()
    {
        Assert.Equal("Unknown export column \"email\": use id, id_type, audience, export_date or segments:<Group> (e.g. segments:Loyalty).",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Format = new ExportFormat { Columns = ["id", "email"] } })).Message);
        Assert.Equal("An export needs at least one column (id, id_type, audience, export_date or segments:<Group>).",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Format = new ExportFormat { Columns = [] } })).Message);
        Assert.Equal("Client default has no destination named \"nowhere\" (see onboard destination list).",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Destination = "nowhere" })).Message);
        Assert.Equal("Client default has no encryption named \"pgp\" (see onboard encryption list).",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Encryption = "pgp" })).Message);
        Assert.Equal("Export \"gold-daily\": The export schedule is not valid: unknown time zone \"Mars/Olympus\" (use an IANA id such as Europe/Berlin or America/New_York).",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Schedule = e.Schedule with { TimeZone = "Mars/Olympus" } })).Message);
        Assert.Equal("Export \"gold-daily\": \"ops@\" in the notification addresses is not an e-mail address (expected name@domain).",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { NotifyEmails = ["ops@"] })).Message);
        Assert.Equal("Export \"gold-daily\": The export schedule is not valid: a weekly schedule needs at least one day of the week.",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Schedule = e.Schedule with { Recurrence = ExportRecurrence.Weekly } })).Message);
        Assert.Equal("Export \"gold-daily\": The export schedule is not valid: the delivery date and time (start) is not set.",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Schedule = new ExportSchedule() })).Message);
        Assert.Equal("Export \"gold-daily\": a delta export is written in the onboarding layout, whose delimiter is comma, tab or pipe, not semicolon.",
            Assert.Throws<ExportException>(() => _h.Export(change: e => e with { Content = ContentMode.Delta, Format = new ExportFormat { FieldDelimiter = FieldDelimiter.Semicolon } })).Message);
        Assert.Equal("The export name \"a b\" is not valid: use 1 to 80 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            Assert.Throws<ExportException>(() => _h.Export("a b")).Message);
        Assert.Empty(_h.Exports.List());
    }

    [Fact]
    public void Names_AreUniquePerClient_AndStatesMoveActivePausedCanceled()
    {
        _h.Export();
        Assert.Equal("Client default already has an export named \"gold-daily\".", Assert.Throws<ExportException>(() => _h.Export()).Message);

        Assert.Equal(ExportState.Paused, _h.Exports.Pause("gold-daily").State);
        Assert.Empty(_h.Exports.Active());
        Assert.Equal(ExportState.Active, _h.Exports.Activate("gold-daily").State);
        Assert.Equal("gold-daily", Assert.Single(_h.Exports.Active()).Name);
        Assert.Equal(ExportState.Canceled, _h.Exports.Cancel("gold-daily").State);
        Assert.Equal("Export \"gold-daily\" is canceled for good; it cannot be activated. Create a new one.",
            Assert.Throws<ExportException>(() => _h.Exports.Activate("gold-daily")).Message);
        Assert.Equal("Export \"gold-daily\" is canceled; canceled exports cannot be changed. Create a new one.",
            Assert.Throws<ExportException>(() => _h.Exports.Update("gold-daily", e => e with { FileNameTemplate = "x.csv" })).Message);
    }

    [Fact]
    public void Update_ChangesFieldsButNotNameOrCreator_AndIsValidated()
    {
        _h.Export();
        _h.Time.Advance(TimeSpan.FromMinutes(5));

        ExportConfiguration updated = _h.Exports.Update("gold-daily", e => e with { Name = "renamed", CreatedBy = "eve", FileNameTemplate = "{export}.csv" });

        Assert.Equal(("gold-daily", "ana", "{export}.csv"), (updated.Name, updated.CreatedBy, updated.FileNameTemplate));
        Assert.Equal(_h.Time.GetUtcNow(), updated.ModifiedOn);
        ExportConfiguration stored = _h.Exports.Get("gold-daily");
        Assert.Equal((updated.FileNameTemplate, updated.ModifiedOn, updated.CreatedBy), (stored.FileNameTemplate, stored.ModifiedOn, stored.CreatedBy));
        Assert.Throws<ExportException>(() => _h.Exports.Update("gold-daily", e => e with { Destination = "nowhere" }));
        Assert.Equal("{export}.csv", _h.Exports.Get("gold-daily").FileNameTemplate);
    }

    [Fact]
    public void RemoveDestination_InUse_IsRefused_UntilTheExportIsCanceled()
    {
        _h.Export();

        Assert.Equal("Destination \"out\" is used by export(s) \"gold-daily\"; change or cancel them first.",
            Assert.Throws<ExportException>(() => _h.Exports.RemoveDestination("out")).Message);
        _h.Exports.Cancel("gold-daily");
        _h.Exports.RemoveDestination("out");
        Assert.Empty(_h.Exports.Store.ListDestinations());
    }

    [Fact]
    public void SftpDestination_SecretsAreEncryptedAtRest_PrintMasked_AndRotateWithTheKey()
    {
        string data = _h.Ingestion.DataPath;
        SecretProtector protector = SecretProtector.Open(data, _ => null);
        var service = new ExportService(data, "default", protector);
        Destination destination = service.AddSftpDestination("partner", new SftpDestinationRequest("sftp.example.com", 2222, "acme", "/in", "SHA256:" + SshdPeer.OtherFingerprint)
        {
            Password = new Secret("Very-Secret-Password-1"),
        }, "ana");

        Assert.Equal(Secret.Masked, destination.Sftp!.Password!.ToString());
        Assert.Equal(-1, File.ReadAllBytes(service.Store.DatabasePath).AsSpan().IndexOf("Very-Secret-Password-1"u8));
        Assert.Equal(-1, Encoding.UTF8.GetString(File.ReadAllBytes(service.Store.DatabasePath)).IndexOf("Very-Secret", StringComparison.Ordinal));
        string before = destination.Sftp.Password.KeyId;

        KeyRotationReport report = SecretKeyRotation.Rotate(data, [new ExportDestinationSecrets(data)], _ => null);

        Assert.Equal(1, report.SecretsReencrypted);
        SecretProtector rotated = SecretProtector.Open(data, _ => null);
        ProtectedSecret stored = new ExportStore(data, "default").FindDestination("partner")!.Sftp!.Password!;
        Assert.NotEqual(before, stored.KeyId);
        Assert.Equal(rotated.CurrentKeyId, stored.KeyId);
        Assert.Equal("Very-Secret-Password-1", rotated.Unprotect(stored, "export-destination/default/partner/password").Reveal());
    }

    [Fact]
    public void SftpDestination_WithoutAPinOrCredentials_IsRefused()
    {
        Assert.StartsWith("\"none\" is not a SHA-256 host-key fingerprint.",
            Assert.Throws<ArgumentException>(() => _h.Exports.AddSftpDestination("p", new SftpDestinationRequest("h", 22, "u", "/in", "none") { Password = new Secret("x") }, "ana")).Message,
            StringComparison.Ordinal);
        Assert.Equal("An SFTP endpoint needs exactly one of a password or a private key.",
            Assert.Throws<ArgumentException>(() => _h.Exports.AddSftpDestination("p", new SftpDestinationRequest("h", 22, "u", "/in", SshdPeer.OtherFingerprint), "ana")).Message);
    }

    [Fact]
    public void ConfigurationChanges_AreAudited_WithTheirActor_AndRefusedChangesAreNot()
    {
        _h.Exports.AddFolderDestination("spare", _h.PathOf("spare"), "bob");
        _h.Export();
        _h.Exports.Update("gold-daily", e => e with { Destination = "spare" });
        _h.Exports.Pause("gold-daily");
        Assert.Throws<ExportException>(() => _h.Exports.Update("gold-daily", e => e with { Destination = "nowhere" }));
        _h.Exports.Cancel("gold-daily");
        _h.Exports.RemoveDestination("out");

        IReadOnlyList<AuditRecord> records = _h.Ingestion.Data.Audit.Read("default");
        Assert.Equal(
            [
                ("ana", AuditActions.DestinationChange, "out", $"added {_h.OutFolder}"),
                ("bob", AuditActions.DestinationChange, "spare", $"added {_h.PathOf("spare")}"),
                ("ana", AuditActions.ExportChange, "gold-daily", "created (active) for audience \"Gold\" to destination \"out\""),
                (AuditLog.DefaultActor, AuditActions.ExportChange, "gold-daily", "updated: audience \"Gold\", destination \"spare\", encryption \"none\""),
                (AuditLog.DefaultActor, AuditActions.ExportChange, "gold-daily", "state paused"),
                (AuditLog.DefaultActor, AuditActions.ExportChange, "gold-daily", "state canceled"),
                (AuditLog.DefaultActor, AuditActions.DestinationChange, "out", "removed"),
            ],
            records.Where(r => r.Action != AuditActions.AudienceCreate && r.Action != AuditActions.AudienceActivate).Select(r => (r.Actor, r.Action, r.Target, r.Details)));
    }

    public void Dispose() => _h.Dispose();
}
