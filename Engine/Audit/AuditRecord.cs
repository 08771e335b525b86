using System.Text.Json.Serialization;

namespace Onboarding.Engine.Audit;

/// <summary>One operator action: who did what, when, to what, for which client (null: the whole data folder).</summary>
public sealed record AuditRecord(DateTimeOffset Time, string Actor, string Action, string? Client, string Target, string? Details = null);

/// <summary>
/// The action names the audit log uses; they are a contract with scripts reading <c>onboard audit --json</c>.
/// Exports, destinations and encryption settings record theirs through <see cref="AuditLog.Record"/> with these.
/// </summary>
public static class AuditActions
{
    public const string AudienceCreate = "audience.create";
    public const string AudienceUpdate = "audience.update";
    public const string AudienceActivate = "audience.activate";
    public const string AudienceDeactivate = "audience.deactivate";
    public const string AudienceDelete = "audience.delete";
    public const string AudienceSnapshot = "audience.snapshot";
    public const string ExportChange = "export.change";
    public const string DestinationChange = "destination.change";
    public const string EncryptionChange = "encryption.change";
    public const string Forget = "forget";
    public const string ForgetUndo = "forget.undo";
    public const string IngestForced = "ingest.force";
    public const string KeysRotate = "keys.rotate";
    public const string Restore = "restore";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
