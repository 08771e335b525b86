using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Tui;
using Onboarding.Tui.Hosting;
using Onboarding.Tui.Shell;
using Onboarding.Watcher.Configuration;
using Onboarding.Watcher.Hosting;
using Terminal.Gui.App;

TuiOptions options;
try
{
    options = TuiOptions.Parse(args, Environment.CurrentDirectory, Environment.GetEnvironmentVariable("ONBOARD_DATA"));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(TuiOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(TuiOptions.Usage);
    return 0;
}

try
{
    // Bad settings stop the TUI before it takes the terminal, with the setting and its source named.
    TuiHost.Settings(options);
}
catch (ConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

// Logs go to a file in the data folder: console output would draw over the UI.
DataFolder.CreatePrivateDirectory(options.DataPath);
using var logFile = new FileLoggerProvider(Path.Combine(options.DataPath, "logs", "tui.log"));
using ILoggerFactory loggers = LoggerFactory.Create(logging => logging.AddProvider(logFile));
DataFolder data;
try
{
    data = DataFolder.Open(options.DataPath, loggers);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: cannot open the data folder {options.DataPath}: {ex.Message}");
    return 1;
}

using (data)
{
    // The watcher's services (inboxes, schedules, the control socket for onboard commands) run in this process.
    using (IHost host = TuiHost.Build(options, data, logFile))
    using (var engine = new EngineAccess(data, host.Services.GetRequiredService<ClientWriteLocks>(), host.Services.GetRequiredService<WatcherOptions>().Clients))
    {
        var session = new TuiSession(engine, host.Services.GetRequiredService<WatcherStatus>(), options.Client);
        await host.StartAsync();
        using (IApplication app = Application.Create().Init())
        {
            IHostApplicationLifetime life = host.Services.GetRequiredService<IHostApplicationLifetime>();
            using var window = new MainWindow(session);
            using CancellationTokenRegistration stopping = life.ApplicationStopping.Register(() => app.Invoke(window.Quit));
            app.Run(window);
        }

        // The file in progress commits or stays in .processing/ for the next start.
        await host.StopAsync();
    }
}

return 0;
