using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Clients;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Configuration;

/// <summary>Configuration that cannot be used; the message names the setting and where its value came from.</summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The settings of <c>onboard watch</c>, the TUI and the CLI, in the usual precedence: built-in defaults &lt;
/// <c>onboard.json</c> in the data folder &lt; <c>ONBOARD__…</c> environment variables &lt; command-line options.
/// Every key lives under <c>Onboard:</c> and is documented in docs/CONFIGURATION.md; an unknown key, a value of the
/// wrong kind or out of range stops start-up with a message naming the key and the file, variable or option it came
/// from.
/// </summary>
public sealed class OnboardConfiguration
{
    public const string FileName = "onboard.json";

    public const string Section = "Onboard";

    public const string EnvironmentPrefix = "ONBOARD__";

    /// <summary>What <see cref="SourceOf"/> says of a setting nobody set.</summary>
    public const string DefaultSource = "default";

    private const string LoggingSection = Section + ":Logging";

    // Every key a setting is read from; anything else under Onboard: (but Logging) is a typo worth stopping for.
    private static readonly string[] Known =
    [
        "Inbox:Path", "Inbox:SettleSeconds", "Inbox:RescanSeconds", "Inbox:MaxDecodedBytes", "Inbox:PgpKeyFile",
        "Inbox:PgpPassphrase", "Inbox:MaxParallelClients", "Inbox:Watch",
        "Schedule:AudienceProcessingAt", "Schedule:TimeZone",
        "Thresholds:MaxRejectedShare", "Thresholds:MaxRefreshShrink", "Thresholds:EmptyingGuardMinimumSize",
        "Thresholds:MinimumExportAudienceSize",
        "Retention:AudienceRuns",
        "Smtp:Host", "Smtp:Port", "Smtp:Tls", "Smtp:From", "Smtp:User", "Smtp:Password", "Smtp:TimeoutSeconds",
    ];

    /// <summary>The thresholds a client may have its own of, as <c>Onboard:Clients:&lt;client&gt;:&lt;key&gt;</c>.</summary>
    public static readonly IReadOnlyList<string> ClientKeys = ["MaxRejectedShare", "MaxRefreshShrink", "EmptyingGuardMinimumSize", "MinimumExportAudienceSize"];

    private const string ClientsSection = "Clients";

    private static readonly Dictionary<string, string> LegacyVariables = new(StringComparer.Ordinal)
    {
        [WatcherOptions.PgpKeyVariable] = Section + ":Inbox:PgpKeyFile",
        [WatcherOptions.PgpPassphraseVariable] = Section + ":Inbox:PgpPassphrase",
    };

    private readonly IConfigurationRoot _root;
    private readonly string _file;
    private readonly Dictionary<string, string> _variables;
    private readonly Dictionary<string, string> _options;

    private OnboardConfiguration(IConfigurationRoot root, string file, Dictionary<string, string> variables, Dictionary<string, string> options)
    {
        _root = root;
        _file = file;
        _variables = variables;
        _options = options;
    }

    /// <summary>The merged configuration (for <c>Onboard:Logging</c> and anything a host reads itself).</summary>
    public IConfiguration Root => _root;

    /// <summary>The logging section, in the shape <c>ILoggingBuilder.AddConfiguration</c> takes.</summary>
    public IConfigurationSection Logging => _root.GetSection(LoggingSection);

    /// <summary>
    /// Reads <c>onboard.json</c> from <paramref name="dataPath"/> (when it is there), the <c>ONBOARD__</c> variables
    /// of <paramref name="environment"/>, and <paramref name="commandLine"/>: keys below <c>Onboard:</c> (e.g.
    /// <c>Inbox:SettleSeconds</c>) with their value and the option that gave it (e.g. <c>--settle</c>).
    /// </summary>
    public static OnboardConfiguration Load(
        string dataPath,
        IEnumerable<KeyValuePair<string, string?>> environment,
        IReadOnlyDictionary<string, (string Value, string Option)>? commandLine = null)
    {
        string file = Path.Combine(Path.GetFullPath(dataPath), FileName);
        var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string? value) in environment)
        {
            if (LegacyVariables.TryGetValue(name, out string? legacy))
            {
                // The older names lose to the ONBOARD__ form when both are set.
                fromEnvironment.TryAdd(legacy, value);
                variables.TryAdd(legacy, name);
            }
            else if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Length > EnvironmentPrefix.Length)
            {
                string key = Section + ":" + name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
                fromEnvironment[key] = value;
                variables[key] = name;
            }
        }

        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fromCommandLine = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string key, (string value, string option)) in commandLine ?? new Dictionary<string, (string, string)>())
        {
            fromCommandLine[Section + ":" + key] = value;
            options[Section + ":" + key] = option;
        }

        var builder = new ConfigurationBuilder();
        if (File.Exists(file))
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        }

        builder.Add(new MemoryConfigurationSource { InitialData = fromEnvironment });
        builder.Add(new MemoryConfigurationSource { InitialData = fromCommandLine });
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new ConfigurationException($"{file}: not valid JSON ({ex.InnerException?.Message ?? ex.Message})", ex);
        }

        var configuration = new OnboardConfiguration(root, file, variables, options);
        configuration.RejectUnknownKeys();
        return configuration;
    }

    /// <summary><see cref="Load(string, IEnumerable{KeyValuePair{string, string}}, IReadOnlyDictionary{string, ValueTuple{string, string}}?)"/> with this process's environment.</summary>
    public static OnboardConfiguration Load(string dataPath, IReadOnlyDictionary<string, (string Value, string Option)>? commandLine = null) =>
        Load(dataPath, ProcessEnvironment(), commandLine);

    public static IEnumerable<KeyValuePair<string, string?>> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string));

    /// <summary>Where the value of <paramref name="key"/> (below <c>Onboard:</c>) came from: the file, the variable or the option.</summary>
    public string SourceOf(string key)
    {
        string full = Section + ":" + key;
        for (int i = _root.Providers.Count() - 1; i >= 0; i--)
        {
            IConfigurationProvider provider = _root.Providers.ElementAt(i);
            if (provider.TryGet(full, out _))
            {
                return provider switch
                {
                    FileConfigurationProvider => _file,
                    _ when _options.TryGetValue(full, out string? option) => $"option {option}",
                    _ when _variables.TryGetValue(full, out string? variable) => $"environment variable {variable}",
                    _ => "configuration",
                };
            }
        }

        return DefaultSource;
    }

    /// <summary>Reads and checks every setting, over the built-in defaults of <paramref name="defaults"/>.</summary>
    public WatcherOptions Watcher(WatcherOptions? defaults = null)
    {
        WatcherOptions options = defaults ?? new WatcherOptions();
        options.Inbox.Path = Text("Inbox:Path") ?? options.Inbox.Path;
        options.WatchInboxes = Read<bool>("Inbox:Watch", bool.TryParse, "true or false", _ => true) ?? options.WatchInboxes;
        if (Number("Inbox:SettleSeconds", "a number ≥ 0", v => v >= 0) is { } settle)
        {
            options.Inbox.SettlePeriod = TimeSpan.FromSeconds(settle);
        }

        if (Number("Inbox:RescanSeconds", "a number > 0", v => v > 0) is { } rescan)
        {
            options.Inbox.RescanInterval = TimeSpan.FromSeconds(rescan);
        }

        options.Decoding.MaxDecodedBytes = Integer("Inbox:MaxDecodedBytes", "a whole number > 0", v => v > 0) ?? options.Decoding.MaxDecodedBytes;
        options.Decoding.PgpSecretKeyFile = Text("Inbox:PgpKeyFile") ?? options.Decoding.PgpSecretKeyFile;
        options.Decoding.PgpPassphrase = Text("Inbox:PgpPassphrase") ?? options.Decoding.PgpPassphrase;
        options.Processing.MaxParallelClients = (int?)Integer("Inbox:MaxParallelClients", "a whole number between 1 and 64", v => v is >= 1 and <= 64) ?? options.Processing.MaxParallelClients;
        if (options.Decoding.PgpSecretKeyFile is { } key && !File.Exists(key))
        {
            throw new ConfigurationException($"{SourceOf("Inbox:PgpKeyFile")}: Onboard:Inbox:PgpKeyFile names \"{key}\", which does not exist");
        }

        options.Clients = Clients(options.Clients.Default);
        options.AudienceProcessing.At = Read<TimeOnly>("Schedule:AudienceProcessingAt", ParseTime, "a time of day HH:mm", _ => true) ?? options.AudienceProcessing.At;
        options.AudienceProcessing.TimeZone = Zone("Schedule:TimeZone") ?? options.AudienceProcessing.TimeZone;
        options.AudienceProcessing.Audiences = Audiences(options.AudienceProcessing.Audiences);
        options.Smtp = Smtp();
        CheckLogging();
        return options;
    }

    /// <summary>
    /// Every client's thresholds: <c>Onboard:Thresholds</c> over <paramref name="defaults"/>, and for each client under
    /// <c>Onboard:Clients</c> its own keys over those. A client name must follow the data folder's client-name rule.
    /// </summary>
    public ClientPolicies Clients(ClientPolicy? defaults = null)
    {
        ClientPolicy common = Thresholds("Thresholds:", defaults ?? new ClientPolicy());
        var clients = new Dictionary<string, ClientPolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (string client in ConfiguredClients())
        {
            if (!DataFolder.IsValidClientName(client))
            {
                string key = _root.GetSection($"{Section}:{ClientsSection}:{client}").AsEnumerable(makePathsRelative: false)
                    .FirstOrDefault(setting => setting.Value is not null).Key ?? $"{Section}:{ClientsSection}:{client}";
                throw new ConfigurationException(
                    $"{SourceOf(key[(Section.Length + 1)..])}: {Section}:{ClientsSection}:{client}: \"{client}\" is not a valid client name: {DataFolder.ClientNameRule}");
            }

            clients[client] = Thresholds($"{ClientsSection}:{client}:", common);
        }

        return new ClientPolicies(common, clients);
    }

    /// <summary>
    /// The setting that gives <paramref name="client"/> its threshold <paramref name="key"/> (one of <see cref="ClientKeys"/>):
    /// <c>Onboard:Clients:&lt;client&gt;:&lt;key&gt;</c> when set, else <c>Onboard:Thresholds:&lt;key&gt;</c>; and where its value came from.
    /// </summary>
    public (string Setting, string Source) ClientSource(string client, string key)
    {
        string own = $"{ClientsSection}:{client}:{key}";
        return SourceOf(own) is var source && source != DefaultSource
            ? ($"{Section}:{own}", source)
            : ($"{Section}:Thresholds:{key}", SourceOf("Thresholds:" + key));
    }

    /// <summary>The client names under <c>Onboard:Clients</c>, as configured.</summary>
    public IReadOnlyList<string> ConfiguredClients() => [.. _root.GetSection($"{Section}:{ClientsSection}").GetChildren().Select(c => c.Key)];

    private ClientPolicy Thresholds(string prefix, ClientPolicy defaults) => new()
    {
        Ingestion = defaults.Ingestion with
        {
            MaxRejectedShare = Number(prefix + "MaxRejectedShare", "a share between 0 and 1", v => v is >= 0 and <= 1) ?? defaults.Ingestion.MaxRejectedShare,
            MaxRefreshShrink = Number(prefix + "MaxRefreshShrink", "a share between 0 and 1", v => v is >= 0 and <= 1) ?? defaults.Ingestion.MaxRefreshShrink,
            EmptyingGuardMinimumSize = Integer(prefix + "EmptyingGuardMinimumSize", "a whole number ≥ 0", v => v >= 0) ?? defaults.Ingestion.EmptyingGuardMinimumSize,
        },
        Exports = defaults.Exports with
        {
            MinimumAudienceSize = Integer(prefix + "MinimumExportAudienceSize", "a whole number ≥ 1", v => v >= 1) ?? defaults.Exports.MinimumAudienceSize,
        },
    };

    /// <summary>The audience retention, over <paramref name="defaults"/>.</summary>
    public AudienceOptions Audiences(AudienceOptions? defaults = null)
    {
        AudienceOptions audiences = defaults ?? new AudienceOptions();
        return audiences with
        {
            RunRetention = (int?)Integer("Retention:AudienceRuns", "a whole number between 1 and 100000", v => v is >= 1 and <= 100_000) ?? audiences.RunRetention,
        };
    }

    /// <summary>The SMTP server of export notifications (no host: nothing is sent).</summary>
    public SmtpOptions Smtp()
    {
        var defaults = new SmtpOptions();
        var smtp = new SmtpOptions
        {
            Host = Text("Smtp:Host"),
            Port = (int?)Integer("Smtp:Port", "a port between 0 and 65535", v => v is >= 0 and <= 65535) ?? defaults.Port,
            Tls = Read<SmtpTlsMode>("Smtp:Tls", (string s, out SmtpTlsMode v) => Enum.TryParse(s, ignoreCase: true, out v), "one of None, StartTls or Ssl", Enum.IsDefined) ?? defaults.Tls,
            From = Text("Smtp:From") ?? defaults.From,
            User = Text("Smtp:User"),
            Password = Text("Smtp:Password"),
            Timeout = Number("Smtp:TimeoutSeconds", "a number > 0", v => v > 0) is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.Timeout,
        };
        try
        {
            smtp.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException($"{SourceOf("Smtp:Host")}: Onboard:Smtp: {ex.Message}", ex);
        }

        return smtp;
    }

    private void CheckLogging()
    {
        foreach ((string key, string? value) in Logging.AsEnumerable())
        {
            if (value is not null && key.Contains(":LogLevel:", StringComparison.OrdinalIgnoreCase) && !Enum.TryParse<LogLevel>(value, ignoreCase: true, out _))
            {
                throw new ConfigurationException($"{SourceOf(key[(Section.Length + 1)..])}: {key} must be one of Trace, Debug, Information, Warning, Error, Critical or None, got \"{value}\"");
            }
        }
    }

    private void RejectUnknownKeys()
    {
        foreach ((string key, string? value) in _root.GetSection(Section).AsEnumerable(makePathsRelative: true))
        {
            if (value is not null
                && !key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase)
                && !Known.Contains(key, StringComparer.OrdinalIgnoreCase)
                && !IsClientKey(key))
            {
                throw new ConfigurationException($"{SourceOf(key)}: {Section}:{key} is not a setting (see docs/CONFIGURATION.md)");
            }
        }
    }

    private static bool IsClientKey(string key) =>
        key.Split(':') is [var section, _, var setting]
        && section.Equals(ClientsSection, StringComparison.OrdinalIgnoreCase)
        && ClientKeys.Contains(setting, StringComparer.OrdinalIgnoreCase);

    private string? Text(string key) => _root[Section + ":" + key] is { Length: > 0 } value ? value : null;

    private double? Number(string key, string expected, Func<double, bool> valid) =>
        Read<double>(key, (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v), expected, valid);

    private long? Integer(string key, string expected, Func<long, bool> valid) =>
        Read<long>(key, (string s, out long v) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v), expected, valid);

    private static bool ParseTime(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private delegate bool TryParse<T>(string text, out T value);

    private T? Read<T>(string key, TryParse<T> parse, string expected, Func<T, bool> valid)
        where T : struct => TryRead(key, parse, expected, valid, out T value) ? value : null;

    private TimeZoneInfo? Zone(string key) =>
        TryRead(key, (string s, out TimeZoneInfo zone) => TimeZoneInfo.TryFindSystemTimeZoneById(s, out zone!), "a time zone id such as Europe/Paris or UTC", _ => true, out TimeZoneInfo value) ? value : null;

    private bool TryRead<T>(string key, TryParse<T> parse, string expected, Func<T, bool> valid, out T value)
    {
        value = default!;
        if (_root[Section + ":" + key] is not { } text)
        {
            return false;
        }

        if (!parse(text.Trim(), out value) || !valid(value))
        {
            throw new ConfigurationException($"{SourceOf(key)}: {Section}:{key} must be {expected}, got \"{text}\"");
        }

        return true;
    }
}
