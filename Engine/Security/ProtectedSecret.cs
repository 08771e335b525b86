using System.Text.Json;
using System.Text.Json.Serialization;

namespace Onboarding.Engine.Security;

/// <summary>
/// A secret as it is kept at rest: <c>ob1.&lt;key id&gt;.&lt;base64url(nonce | ciphertext | tag)&gt;</c>, AES-256-GCM
/// under the key named by the key id (see <see cref="SecretProtector"/>). It prints masked like a <see cref="Secret"/>.
/// </summary>
[JsonConverter(typeof(ProtectedSecretJsonConverter))]
public sealed record ProtectedSecret
{
    public const string FormatPrefix = "ob1";

    public ProtectedSecret(string value)
    {
        string[] parts = value.Split('.');
        if (parts.Length != 3 || parts[0] != FormatPrefix || parts[1].Length != SecretKey.IdLength || parts[2].Length == 0)
        {
            throw new FormatException("Not a protected secret (expected ob1.<key id>.<data>).");
        }

        Value = value;
        KeyId = parts[1];
    }

    /// <summary>The stored text (ciphertext; safe to write to the data folder, never to print).</summary>
    public string Value { get; }

    /// <summary>The id of the key that encrypted it.</summary>
    public string KeyId { get; }

    public override string ToString() => Secret.Masked;
}

internal sealed class ProtectedSecretJsonConverter : JsonConverter<ProtectedSecret>
{
    public override ProtectedSecret Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("A protected secret cannot be null."));

    public override void Write(Utf8JsonWriter writer, ProtectedSecret value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
