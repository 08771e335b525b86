using System.Globalization;
using Microsoft.Extensions.Configuration;
using Onboarding.Engine.Clients;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Configuration;

/// <summary>One setting as a process started now would use it: its value (secrets masked) and where that value came from.</summary>
public sealed record EffectiveSetting(string Key, string Value, string Source);

/// <summary>The whole configuration as <c>onboard config show</c> prints it.</summary>
public static class EffectiveSettings
{
    public const string Masked = "********";

    private const string None = "(none)";

    /// <summary>
    /// Every setting with its effective value and source, then every configured client's thresholds: its own value,
    /// or the <c>Onboard:Thresholds</c> one it inherits. Checks the whole configuration first (throws
    /// <see cref="ConfigurationException"/>), so what it shows is what start-up would accept.
    /// </summary>
    public static IReadOnlyList<EffectiveSetting> Read(OnboardConfiguration configuration)
    {
        WatcherOptions options = configuration.Watcher();
        ClientPolicy defaults = options.Clients.Default;
        var settings = new List<EffectiveSetting>();
        void Add(string key, object? value) => settings.Add(new EffectiveSetting(
            $"{OnboardConfiguration.Section}:{key}", Text(value), configuration.SourceOf(key)));
        void AddSecret(string key, string? value) => settings.Add(new EffectiveSetting(
            $"{OnboardConfiguration.Section}:{key}", string.IsNullOrEmpty(value) ? None : Masked, configuration.SourceOf(key)));

        Add("Inbox:Path", options.Inbox.Path);
        Add("Inbox:SettleSeconds", options.Inbox.SettlePeriod.TotalSeconds);
        Add("Inbox:RescanSeconds", options.Inbox.RescanInterval.TotalSeconds);
        Add("Inbox:Watch", options.WatchInboxes);
        Add("Inbox:MaxDecodedBytes", options.Decoding.MaxDecodedBytes);
        Add("Inbox:MaxParallelClients", options.Processing.MaxParallelClients);
        Add("Inbox:PgpKeyFile", options.Decoding.PgpSecretKeyFile);
        AddSecret("Inbox:PgpPassphrase", options.Decoding.PgpPassphrase);
        Add("Schedule:AudienceProcessingAt", options.AudienceProcessing.At.ToString("HH:mm", CultureInfo.InvariantCulture));
        Add("Schedule:TimeZone", options.AudienceProcessing.TimeZone.Id);
        foreach ((string key, object value) in Thresholds(defaults))
        {
            Add("Thresholds:" + key, value);
        }

        Add("Retention:AudienceRuns", options.AudienceProcessing.Audiences.RunRetention);
        Add("Smtp:Host", options.Smtp.Host);
        Add("Smtp:Port", options.Smtp.Port);
        Add("Smtp:Tls", options.Smtp.Tls);
        Add("Smtp:From", options.Smtp.From);
        Add("Smtp:User", options.Smtp.User);
        AddSecret("Smtp:Password", options.Smtp.Password);
        Add("Smtp:TimeoutSeconds", options.Smtp.Timeout.TotalSeconds);
        List<KeyValuePair<string, string?>> levels = [.. configuration.Logging.AsEnumerable(makePathsRelative: true)
            .Where(level => level.Value is not null).OrderBy(level => level.Key, StringComparer.OrdinalIgnoreCase)];
        if (!levels.Any(level => level.Key.Equals("LogLevel:Default", StringComparison.OrdinalIgnoreCase)))
        {
            levels.Insert(0, new("LogLevel:Default", "Information"));
        }

        foreach ((string key, string? level) in levels)
        {
            Add("Logging:" + key, level);
        }

        foreach ((string client, ClientPolicy policy) in options.Clients.Clients.OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase))
        {
            foreach ((string key, object value) in Thresholds(policy))
            {
                string own = $"{OnboardConfiguration.Section}:Clients:{client}:{key}";
                (string setting, string source) = configuration.ClientSource(client, key);
                settings.Add(new EffectiveSetting(own, Text(value), setting == own ? source : $"as {setting} ({source})"));
            }
        }

        return settings;
    }

    // In the order and with the names of OnboardConfiguration.ClientKeys.
    private static IEnumerable<(string Key, object Value)> Thresholds(ClientPolicy policy) =>
    [
        ("MaxRejectedShare", policy.Ingestion.MaxRejectedShare),
        ("MaxRefreshShrink", policy.Ingestion.MaxRefreshShrink),
        ("EmptyingGuardMinimumSize", policy.Ingestion.EmptyingGuardMinimumSize),
        ("MinimumExportAudienceSize", policy.Exports.MinimumAudienceSize),
    ];

    private static string Text(object? value) => value switch
    {
        null => None,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? None,
    };
}
