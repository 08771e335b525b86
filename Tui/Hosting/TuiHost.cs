using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Storage;
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
        var watcher = new WatcherOptions();
        builder.Configuration.GetSection(WatcherOptions.Section).Bind(watcher);
        watcher.DataPath = data.Path;
        watcher.WatchInboxes = options.Watch;
        watcher.Inbox.Path = options.InboxPath;
        watcher.ReadEnvironment(Environment.GetEnvironmentVariable);
        configure?.Invoke(watcher);
        builder.Services.AddSingleton(data);
        builder.Services.AddOnboardingHost(watcher);
        return builder.Build();
    }
}
