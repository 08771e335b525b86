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

    public void Dispose() => _data.Dispose();

    private OnboardConfiguration Load() => OnboardConfiguration.Load(_data.Path, []);
}
