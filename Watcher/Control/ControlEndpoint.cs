using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Cli;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Control;

/// <summary>
/// The data folder's control socket (<c>&lt;data&gt;/.onboard.sock</c>, owner-only), served by the process that holds
/// the folder. A CLI that finds the folder locked forwards its command line here; it runs against the already-open
/// <see cref="DataFolder"/> under the client's write lock, with the caller's directory and <c>ONBOARD_*</c>
/// environment, and its output and exit code go back over the socket.
/// </summary>
public sealed class ControlEndpoint(
    DataFolder data,
    ClientWriteLocks locks,
    ILogger<ControlEndpoint>? logger = null,
    WatcherOptions? options = null,
    WatcherStatus? status = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<ControlEndpoint>.Instance;

    // One forwarded command at a time: the command tree shares option instances between builds, and commands are
    // short; the holder's own work (inbox, schedules, the UI) goes on beside it.
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly List<Task> _connections = [];

    private Socket? _listener;

    public string SocketPath => ControlProtocol.SocketPath(data.Path);

    /// <summary>Binds the socket before the host reports started, so a command run right after start is served.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _listener = TryListen();
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using Socket? listener = _listener;
        if (listener is null)
        {
            return;
        }

        _logger.LogInformation("Serving onboard commands for {Data} on {Socket}", data.Path, SocketPath);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket connection = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                lock (_connections)
                {
                    _connections.RemoveAll(t => t.IsCompleted);
                    _connections.Add(Task.Run(() => Serve(connection), CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            File.Delete(SocketPath);
            Task[] running;
            lock (_connections)
            {
                running = [.. _connections];
            }

            // A command in progress finishes (it holds a client lock and may be committing) before the folder closes.
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _oneAtATime.Dispose();
        base.Dispose();
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private Socket? TryListen()
    {
        try
        {
            return Listen();
        }
        catch (Exception ex) when (ex is SocketException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Not fatal for the host (e.g. a data folder path too long for a socket address): the inboxes and
            // schedules go on, and other onboard processes find the folder locked as before.
            _logger.LogWarning(ex, "Cannot serve onboard commands on {Socket}; other onboard processes will find {Data} locked", SocketPath, data.Path);
            return null;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private Socket Listen()
    {
        // Only the holder of the folder's lock serves it, so a socket file already there was left by a process that
        // died: nobody answers on it any more.
        if (File.Exists(SocketPath))
        {
            _logger.LogInformation("Removing the stale control socket {Socket}", SocketPath);
            File.Delete(SocketPath);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
            File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private void Serve(Socket connection)
    {
        using (connection)
        using (var stream = new NetworkStream(connection, ownsSocket: false))
        {
            try
            {
                if (ControlProtocol.ReadFrame(stream) is not ({ } kind, { } payload) || kind != ControlProtocol.Request)
                {
                    return; // a probe (ControlClient.IsServed) or a stray connection
                }

                ControlRequest request = JsonSerializer.Deserialize(payload, ControlJsonContext.Default.ControlRequest)
                    ?? throw new InvalidDataException("empty control request");
                int exitCode;
                try
                {
                    exitCode = Run(request, stream);
                }
                catch (Exception ex) when (ex is not (IOException or SocketException or ObjectDisposedException or OutOfMemoryException))
                {
                    // A direct run would crash with this; the holder must not, and the caller still gets the message.
                    _logger.LogError(ex, "A forwarded command failed: onboard {Args}", string.Join(' ', request.Args));
                    ControlProtocol.WriteFrame(stream, ControlProtocol.Error, Encoding.UTF8.GetBytes($"error: {ex.Message}\n"));
                    exitCode = ExitCodes.Failure;
                }

                ControlProtocol.WriteFrame(stream, ControlProtocol.Exit, ControlProtocol.ExitPayload(exitCode));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or SocketException or ObjectDisposedException)
            {
                _logger.LogWarning(ex, "A forwarded onboard command's connection failed");
            }
        }
    }

    private int Run(ControlRequest request, Stream stream)
    {
        var gate = new Lock();
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        // Flushed at every write, so output streams back as it is written and stdout and stderr keep their order.
        using var output = new StreamWriter(new FrameStream(stream, ControlProtocol.Output, gate), utf8) { AutoFlush = true };
        using var error = new StreamWriter(new FrameStream(stream, ControlProtocol.Error, gate), utf8) { AutoFlush = true };
        var context = new CliContext
        {
            Out = output,
            Error = error,
            CurrentDirectory = request.CurrentDirectory,
            Variable = name => request.Environment.TryGetValue(name, out string? value) ? value : null,
            Variables = () => request.Environment.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)),
            HeldFolder = data,
            Holder = options is not null && status is not null ? new HolderState(options, status) : null,
        };
        string[] args = [.. request.Args];
        _oneAtATime.Wait();
        try
        {
            ParseResult parsed = OnboardCommandLine.Parse(args, context);
            if (Refusal(parsed) is { } refusal)
            {
                error.WriteLine($"error: {refusal}");
                return ExitCodes.Failure;
            }

            _logger.LogInformation("Running a forwarded command: onboard {Command}", CommandPath(parsed));
            using IDisposable? clientLock = ClientOf(parsed) is { } client ? locks.Acquire(client) : null;
            return OnboardCommandLine.Invoke(parsed, context, args);
        }
        finally
        {
            _oneAtATime.Release();
            output.Flush();
            error.Flush();
        }
    }

    /// <summary>Why a command cannot run inside the holder, or null (<c>keys rotate</c> refuses itself while a holder serves).</summary>
    private string? Refusal(ParseResult parsed) => parsed.CommandResult.Command.Name == "watch"
        ? $"the data folder {data.Path} is open in process {Environment.ProcessId} (onboard watch or the TUI), which already watches the inbox and runs the schedules; stop it first to start another watcher on this folder."
        : null;

    /// <summary>The command as typed, without the arguments: "files retry", "export run".</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (CommandResult? command = parsed.CommandResult; command?.Parent is CommandResult parent; command = parent)
        {
            names.Insert(0, command.Command.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>The client a command works on (its <c>--client</c>), whose write lock it runs under.</summary>
    private static string? ClientOf(ParseResult parsed)
    {
        if (!parsed.CommandResult.Command.Options.Any(o => o.Name == "--client"))
        {
            return null;
        }

        string? client = parsed.GetValue<string>("--client");
        try
        {
            if (client is not null)
            {
                DataFolder.ValidateClientName(client);
            }

            return client;
        }
        catch (ArgumentException)
        {
            return null; // the command reports the bad name itself
        }
    }
}
