using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Storage;
using Onboarding.Tui;
using Onboarding.Tui.Hosting;
using Onboarding.Tui.Inbox;
using Onboarding.Tui.Shell;
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

// Logs go to a file in the data folder: console output would draw over the UI.
DataFolder.CreatePrivateDirectory(options.DataPath);
using var logFile = new FileLoggerProvider(Path.Combine(options.DataPath, "logs", "tui.log"));
using ILoggerFactory loggers = LoggerFactory.Create(logging => logging.AddProvider(logFile));
EngineAccess engine;
try
{
    engine = new EngineAccess(DataFolder.Open(options.DataPath, loggers));
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: cannot open the data folder {options.DataPath}: {ex.Message}");
    return 1;
}

using (engine)
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
    builder.Logging.ClearProviders();
    builder.Logging.AddProvider(logFile);
    builder.Services.AddSingleton(engine);
    builder.Services.AddSingleton<InboxActivity>();
    builder.Services.AddSingleton(new InboxOptions(options.InboxPath, options.Watch));
    builder.Services.AddHostedService<InboxIngestion>();
    using IHost host = builder.Build();

    var session = new TuiSession(engine, host.Services.GetRequiredService<InboxActivity>(), options.Client);
    await host.StartAsync();
    using (IApplication app = Application.Create().Init())
    {
        IHostApplicationLifetime life = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using var window = new MainWindow(session);
        using CancellationTokenRegistration stopping = life.ApplicationStopping.Register(() => app.Invoke(window.Quit));
        app.Run(window);
    }

    await host.StopAsync();
}

return 0;
