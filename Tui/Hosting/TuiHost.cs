using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Configuration;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Tui.Hosting;

/// <summary>The TUI's host: the same hosted services as <c>onboard watch</c> (inboxes, schedules, control socket) over the TUI's data folder.</summary>
internal static class TuiHost
{
    public static IHost Build(TuiOptions options, DataFolder data, ILoggerProvider logs, Action<WatcherOptions>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });

        // Logs go to a file: console output would draw over the UI.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        OnboardConfiguration configuration = OnboardConfiguration.Load(data.Path, Overrides(options));
        builder.Logging.AddConfiguration(configuration.Logging);
        WatcherOptions watcher = Settings(configuration);
        watcher.DataPath = data.Path;
        configure?.Invoke(watcher);
        builder.Services.AddSingleton(data);
        builder.Services.AddOnboardingHost(watcher);
        return builder.Build();
    }

    /// <summary>The watcher settings of <c>onboard.json</c>, <c>ONBOARD__…</c> variables and the TUI's options; throws <see cref="ConfigurationException"/>.</summary>
    public static WatcherOptions Settings(TuiOptions options) => Settings(OnboardConfiguration.Load(options.DataPath, Overrides(options)));

    private static WatcherOptions Settings(OnboardConfiguration configuration)
    {
        WatcherOptions watcher = configuration.Watcher();
        watcher.Inbox.Path = Path.GetFullPath(watcher.Inbox.Path);
        return watcher;
    }

    private static Dictionary<string, (string Value, string Option)> Overrides(TuiOptions options)
    {
        var overrides = new Dictionary<string, (string Value, string Option)>(StringComparer.OrdinalIgnoreCase);
        if (options.InboxPath is { } inbox)
        {
            overrides["Inbox:Path"] = (inbox, "--inbox");
        }

        if (!options.Watch)
        {
            overrides["Inbox:Watch"] = ("false", "--no-watch");
        }

        return overrides;
    }
}
