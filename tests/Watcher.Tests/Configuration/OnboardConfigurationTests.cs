using Onboarding.Engine.Clients;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Watcher.Configuration;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Configuration;

/// <summary>Defaults &lt; onboard.json &lt; ONBOARD__ variables &lt; command-line options, and errors that name the setting and its source.</summary>
public sealed class OnboardConfigurationTests : IDisposable
{
    private readonly TempFolder _data = new();

    private string ConfigFile => _data.File(OnboardConfiguration.FileName);

    [Fact]
    public void WithoutFileVariablesOrOptions_TheBuiltInDefaultsHold()
    {
        WatcherOptions options = Load().Watcher();

        var defaults = new WatcherOptions();
        Assert.Equal(defaults.Inbox.SettlePeriod, options.Inbox.SettlePeriod);
        Assert.Equal(defaults.Inbox.RescanInterval, options.Inbox.RescanInterval);
        Assert.Equal(0.01, options.Clients.Default.Ingestion.MaxRejectedShare);
        Assert.Equal(90, options.AudienceProcessing.Audiences.RunRetention);
        Assert.False(options.Smtp.IsConfigured);
    }

    [Fact]
    public void TheFileOverridesDefaults_VariablesOverrideTheFile_OptionsOverrideVariables()
    {
        File.WriteAllText(ConfigFile, """
            { "Onboard": { "Inbox": { "SettleSeconds": 5, "RescanSeconds": 40, "Path": "/srv/file-inbox" },
                           "Thresholds": { "MaxRejectedShare": 0.2 } } }
            """);
        var environment = new Dictionary<string, string?>
        {
            ["ONBOARD__INBOX__SETTLESECONDS"] = "7",
            ["ONBOARD__Inbox__RescanSeconds"] = "50",
        };
        var commandLine = new Dictionary<string, (string, string)> { ["Inbox:SettleSeconds"] = ("9", "--settle") };

        OnboardConfiguration configuration = OnboardConfiguration.Load(_data.Path, environment, commandLine);
        WatcherOptions options = configuration.Watcher();

        Assert.Equal(TimeSpan.FromSeconds(9), options.Inbox.SettlePeriod);
        Assert.Equal(TimeSpan.FromSeconds(50), options.Inbox.RescanInterval);
        Assert.Equal("/srv/file-inbox", options.Inbox.Path);
        Assert.Equal(0.2, options.Clients.Default.Ingestion.MaxRejectedShare);
        Assert.Equal("option --settle", configuration.SourceOf("Inbox:SettleSeconds"));
        Assert.Equal("environment variable ONBOARD__Inbox__RescanSeconds", configuration.SourceOf("Inbox:RescanSeconds"));
        Assert.Equal(ConfigFile, configuration.SourceOf("Inbox:Path"));
        Assert.Equal("default", configuration.SourceOf("Retention:AudienceRuns"));
    }

    [Fact]
    public void EverySectionBinds()
    {
        File.WriteAllText(ConfigFile, """
            { "Onboard": {
                "Schedule": { "AudienceProcessingAt": "02:30", "TimeZone": "Europe/Paris" },
                "Thresholds": { "MaxRefreshShrink": 0.25, "EmptyingGuardMinimumSize": 50 },
                "Retention": { "AudienceRuns": 12 },
                "Smtp": { "Host": "mail.example.com", "Port": 2525, "Tls": "ssl", "From": "ops@example.com", "User": "ops" },
                "Logging": { "LogLevel": { "Default": "Warning" } } } }
            """);
        var environment = new Dictionary<string, string?> { ["ONBOARD__SMTP__PASSWORD"] = "s3cret" };

        OnboardConfiguration configuration = OnboardConfiguration.Load(_data.Path, environment);
        WatcherOptions options = configuration.Watcher();

        Assert.Equal(new TimeOnly(2, 30), options.AudienceProcessing.At);
        Assert.Equal("Europe/Paris", options.AudienceProcessing.TimeZone.Id);
        Assert.Equal(0.25, options.Clients.Default.Ingestion.MaxRefreshShrink);
        Assert.Equal(50, options.Clients.Default.Ingestion.EmptyingGuardMinimumSize);
        Assert.Equal(12, options.AudienceProcessing.Audiences.RunRetention);
        Assert.Equal("mail.example.com", options.Smtp.Host);
        Assert.Equal(2525, options.Smtp.EffectivePort);
        Assert.Equal(SmtpTlsMode.Ssl, options.Smtp.Tls);
        Assert.Equal("s3cret", options.Smtp.Password);
        Assert.Equal("Warning", configuration.Logging["LogLevel:Default"]);
    }

    [Fact]
    public void TheOlderPgpVariablesStillCount_ButTheOnboardFormWins()
    {
        string key = _data.File("key.asc");
        File.WriteAllText(key, "not checked here");
        var environment = new Dictionary<string, string?>
        {
            [WatcherOptions.PgpKeyVariable] = "/nowhere/key.asc",
            ["ONBOARD__INBOX__PGPKEYFILE"] = key,
            [WatcherOptions.PgpPassphraseVariable] = "pass",
        };

        WatcherOptions options = OnboardConfiguration.Load(_data.Path, environment).Watcher();

        Assert.Equal(key, options.Decoding.PgpSecretKeyFile);
        Assert.Equal("pass", options.Decoding.PgpPassphrase);
    }

    [Fact]
    public void ABadValueInTheFile_NamesTheFileTheSettingAndTheValue()
    {
        File.WriteAllText(ConfigFile, """{ "Onboard": { "Inbox": { "SettleSeconds": "abc" } } }""");

        var error = Assert.Throws<ConfigurationException>(() => Load().Watcher());

        Assert.Equal($"{ConfigFile}: Onboard:Inbox:SettleSeconds must be a number ≥ 0, got \"abc\"", error.Message);
    }

    [Theory]
    [InlineData("ONBOARD__INBOX__RESCANSECONDS", "0", "Onboard:Inbox:RescanSeconds must be a number > 0")]
    [InlineData("ONBOARD__THRESHOLDS__MAXREJECTEDSHARE", "1.5", "Onboard:Thresholds:MaxRejectedShare must be a share between 0 and 1")]
    [InlineData("ONBOARD__SCHEDULE__TIMEZONE", "Mars/Olympus", "Onboard:Schedule:TimeZone must be a time zone id")]
    [InlineData("ONBOARD__SCHEDULE__AUDIENCEPROCESSINGAT", "25:00", "Onboard:Schedule:AudienceProcessingAt must be a time of day HH:mm")]
    [InlineData("ONBOARD__RETENTION__AUDIENCERUNS", "0", "Onboard:Retention:AudienceRuns must be a whole number")]
    [InlineData("ONBOARD__SMTP__TLS", "maybe", "Onboard:Smtp:Tls must be one of None, StartTls or Ssl")]
    [InlineData("ONBOARD__LOGGING__LOGLEVEL__DEFAULT", "Loud", "Onboard:Logging:LogLevel:Default must be one of Trace")]
    [InlineData("ONBOARD__INBOX__SETTLESECOND", "3", "Onboard:Inbox:SETTLESECOND is not a setting")]
    public void ABadVariable_NamesTheVariableAndTheSetting(string variable, string value, string expected)
    {
        var environment = new Dictionary<string, string?> { [variable] = value };

        var error = Assert.Throws<ConfigurationException>(() => OnboardConfiguration.Load(_data.Path, environment).Watcher());

        Assert.StartsWith($"environment variable {variable}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ABadOption_NamesTheOption()
    {
        var commandLine = new Dictionary<string, (string, string)> { ["Inbox:SettleSeconds"] = ("-1", "--settle") };

        var error = Assert.Throws<ConfigurationException>(() => OnboardConfiguration.Load(_data.Path, [], commandLine).Watcher());

        Assert.Equal("option --settle: Onboard:Inbox:SettleSeconds must be a number ≥ 0, got \"-1\"", error.Message);
    }

    [Fact]
    public void AnSmtpUserWithoutPassword_NamesTheSmtpSection()
    {
        File.WriteAllText(ConfigFile, """{ "Onboard": { "Smtp": { "Host": "mail.example.com", "User": "ops" } } }""");

        var error = Assert.Throws<ConfigurationException>(() => Load().Watcher());

        Assert.StartsWith($"{ConfigFile}: Onboard:Smtp: SMTP user and password go together", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotJson_NamesTheFile()
    {
        File.WriteAllText(ConfigFile, """{ "Onboard": { "Inbox": """);

        var error = Assert.Throws<ConfigurationException>(Load);

        Assert.StartsWith($"{ConfigFile}: not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingPgpKeyFile_IsNamed()
    {
        var environment = new Dictionary<string, string?> { [WatcherOptions.PgpKeyVariable] = "/nowhere/key.asc" };

        var error = Assert.Throws<ConfigurationException>(() => OnboardConfiguration.Load(_data.Path, environment).Watcher());

        Assert.Equal($"environment variable {WatcherOptions.PgpKeyVariable}: Onboard:Inbox:PgpKeyFile names \"/nowhere/key.asc\", which does not exist", error.Message);
    }

    [Fact]
    public void ClientsInheritTheThresholds_TheirOwnKeysWin_AndVariablesOverrideTheFile()
    {
        File.WriteAllText(ConfigFile, """
            { "Onboard": {
                "Thresholds": { "MaxRefreshShrink": 0.4, "MinimumExportAudienceSize": 250 },
                "Clients": {
                  "acme": { "MaxRefreshShrink": 0.1, "EmptyingGuardMinimumSize": 5, "MinimumExportAudienceSize": 1000 },
                  "beta": { "MaxRejectedShare": 0.2 } } } }
            """);
        var environment = new Dictionary<string, string?>
        {
            ["ONBOARD__CLIENTS__ACME__MAXREFRESHSHRINK"] = "0.05",
            ["ONBOARD__CLIENTS__gamma__MINIMUMEXPORTAUDIENCESIZE"] = "7",
        };

        OnboardConfiguration configuration = OnboardConfiguration.Load(_data.Path, environment);
        ClientPolicies clients = configuration.Watcher().Clients;

        Assert.Equal((0.05, 5L, 1000L, 0.01), Values(clients.For("acme")));
        Assert.Equal((0.4, 1000L, 250L, 0.2), Values(clients.For("beta")));
        Assert.Equal((0.4, 1000L, 7L, 0.01), Values(clients.For("gamma")));
        Assert.Equal((0.4, 1000L, 250L, 0.01), Values(clients.For("unconfigured")));
        Assert.Equal(("Onboard:Clients:acme:MaxRefreshShrink", "environment variable ONBOARD__CLIENTS__ACME__MAXREFRESHSHRINK"), configuration.ClientSource("acme", "MaxRefreshShrink"));
        Assert.Equal(("Onboard:Thresholds:MaxRefreshShrink", ConfigFile), configuration.ClientSource("beta", "MaxRefreshShrink"));
        Assert.Equal(("Onboard:Thresholds:MaxRejectedShare", "default"), configuration.ClientSource("acme", "MaxRejectedShare"));

        static (double, long, long, double) Values(ClientPolicy policy) =>
            (policy.Ingestion.MaxRefreshShrink, policy.Ingestion.EmptyingGuardMinimumSize, policy.Exports.MinimumAudienceSize, policy.Ingestion.MaxRejectedShare);
    }

    [Fact]
    public void WithoutConfiguration_TheMinimumExportAudienceSizeIs100()
    {
        Assert.Equal(100, Load().Clients().For("anyone").Exports.MinimumAudienceSize);
    }

    [Fact]
    public void ABadClientValueInTheFile_NamesTheFileTheClientsKeyAndTheValue()
    {
        File.WriteAllText(ConfigFile, """{ "Onboard": { "Clients": { "acme": { "MaxRefreshShrink": 7 } } } }""");

        var error = Assert.Throws<ConfigurationException>(() => Load().Watcher());

        Assert.Equal($"{ConfigFile}: Onboard:Clients:acme:MaxRefreshShrink must be a share between 0 and 1, got \"7\"", error.Message);
    }

    [Fact]
    public void AnInvalidClientName_NamesTheFileAndTheRule()
    {
        File.WriteAllText(ConfigFile, """{ "Onboard": { "Clients": { "acme corp": { "MaxRefreshShrink": 0.1 } } } }""");

        var error = Assert.Throws<ConfigurationException>(() => Load().Clients());

        Assert.Equal(
            $"{ConfigFile}: Onboard:Clients:acme corp: \"acme corp\" is not a valid client name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            error.Message);
    }

    [Theory]
    [InlineData("ONBOARD__THRESHOLDS__MINIMUMEXPORTAUDIENCESIZE", "many", "Onboard:THRESHOLDS:MINIMUMEXPORTAUDIENCESIZE must be a whole number ≥ 1, got \"many\"")]
    [InlineData("ONBOARD__CLIENTS__acme__MINIMUMEXPORTAUDIENCESIZE", "0", "Onboard:CLIENTS:acme:MINIMUMEXPORTAUDIENCESIZE must be a whole number ≥ 1, got \"0\"")]
    [InlineData("ONBOARD__CLIENTS__acme__EMPTYINGGUARDMINIMUMSIZE", "-1", "Onboard:CLIENTS:acme:EMPTYINGGUARDMINIMUMSIZE must be a whole number ≥ 0, got \"-1\"")]
    [InlineData("ONBOARD__CLIENTS__acme__MAXREJECTEDSHARE", "2", "Onboard:CLIENTS:acme:MAXREJECTEDSHARE must be a share between 0 and 1, got \"2\"")]
    [InlineData("ONBOARD__CLIENTS__acme__THRESHOLDS__MAXREFRESHSHRINK", "0.1", "Onboard:CLIENTS:acme:THRESHOLDS:MAXREFRESHSHRINK is not a setting")]
    [InlineData("ONBOARD__CLIENTS__acme__SETTLESECONDS", "1", "Onboard:CLIENTS:acme:SETTLESECONDS is not a setting")]
    [InlineData("ONBOARD__CLIENTS__acme", "0.1", "Onboard:CLIENTS:acme is not a setting")]
    [InlineData("ONBOARD__CLIENTS__-acme__MAXREFRESHSHRINK", "0.1", "Onboard:Clients:-acme: \"-acme\" is not a valid client name")]
    public void ABadClientVariable_NamesTheVariableAndTheSetting(string variable, string value, string expected)
    {
        var environment = new Dictionary<string, string?> { [variable] = value };

        var error = Assert.Throws<ConfigurationException>(() => OnboardConfiguration.Load(_data.Path, environment).Watcher());

        // Key case follows the variable or the canonical name; configuration keys are case-insensitive either way.
        Assert.StartsWith($"environment variable {variable}: {expected}", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(ClientKeys))]
    public void EveryClientKey_IsReadAndChecked_AndShown(string key)
    {
        // -5 is out of range for every threshold: a key accepted but never read would pass silently.
        var environment = new Dictionary<string, string?> { [$"ONBOARD__CLIENTS__acme__{key}"] = "-5" };
        File.WriteAllText(ConfigFile, $$"""{ "Onboard": { "Clients": { "acme": { "{{key}}": 1 } } } }""");

        var error = Assert.Throws<ConfigurationException>(() => OnboardConfiguration.Load(_data.Path, environment).Clients());
        IEnumerable<string> shown = EffectiveSettings.Read(Load()).Select(s => s.Key);

        Assert.StartsWith($"environment variable ONBOARD__CLIENTS__acme__{key}: Onboard:Clients:acme:{key} must be ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Onboard:Clients:acme:{key}", shown);
        Assert.Contains($"Onboard:Thresholds:{key}", shown);
    }

    public static TheoryData<string> ClientKeys() => [.. OnboardConfiguration.ClientKeys];

    [Fact]
    public void EverySettingShown_IsDocumentedInConfigurationMd()
    {
        File.WriteAllText(ConfigFile, """{ "Onboard": { "Clients": { "acme": { "MaxRefreshShrink": 0.1 } } } }""");
        string[] documented = [.. File.ReadLines(SourceTree.File("docs", "CONFIGURATION.md"))
            .Where(line => line.StartsWith("| `Onboard:", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1])];

        IEnumerable<string> shown = EffectiveSettings.Read(Load()).Select(s => s.Key
            .Replace("Onboard:Clients:acme:", "Onboard:Clients:<client>:", StringComparison.Ordinal)
            .Replace("Onboard:Logging:LogLevel:Default", "Onboard:Logging:LogLevel:<category>", StringComparison.Ordinal));

        Assert.All(shown, key => Assert.Contains(key, documented));
        Assert.Contains("Onboard:Clients:<client>:MinimumExportAudienceSize", shown);
    }

    public void Dispose() => _data.Dispose();

    private OnboardConfiguration Load() => OnboardConfiguration.Load(_data.Path, []);
}
