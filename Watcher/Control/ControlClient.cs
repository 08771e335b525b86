using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Onboarding.Watcher.Cli;

namespace Onboarding.Watcher.Control;

/// <summary>Forwards a command line to the process that holds a data folder (<c>onboard watch</c> or the TUI) and relays its output.</summary>
internal static class ControlClient
{
    /// <summary>
    /// Runs <paramref name="args"/> inside the holder of <paramref name="dataFolder"/>; null when no holder answers on
    /// the folder's control socket (none there, or a stale one left by a process that died: connection refused).
    /// </summary>
    public static int? TryForward(string dataFolder, IReadOnlyList<string> args, CliContext context)
    {
        string path = ControlProtocol.SocketPath(dataFolder);
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            return null;
        }

        using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = new ControlRequest(args, context.CurrentDirectory, ForwardedVariables());
        ControlProtocol.WriteFrame(stream, ControlProtocol.Request, JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest));
        Decoder output = Encoding.UTF8.GetDecoder();
        Decoder error = Encoding.UTF8.GetDecoder();
        try
        {
            while (ControlProtocol.ReadFrame(stream) is var (kind, payload))
            {
                switch (kind)
                {
                    case ControlProtocol.Output: Relay(output, payload, context.Out); break;
                    case ControlProtocol.Error: Relay(error, payload, context.Error); break;
                    case ControlProtocol.Exit:
                        context.Out.Flush();
                        context.Error.Flush();
                        return ControlProtocol.ReadExit(payload);
                    default: throw new InvalidDataException($"unknown control message kind {kind}");
                }
            }
        }
        catch (IOException ex)
        {
            context.Error.WriteLine($"error: the process holding {dataFolder} stopped answering: {ex.Message}");
            return ExitCodes.Failure;
        }

        context.Error.WriteLine($"error: the process holding {dataFolder} closed the connection before the command finished (it may be stopping); run the command again.");
        return ExitCodes.Failure;
    }

    /// <summary>Whether a process serves the data folder's control socket right now.</summary>
    public static bool IsServed(string dataFolder)
    {
        string path = ControlProtocol.SocketPath(dataFolder);
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ForwardedVariables() =>
        Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name.StartsWith(ControlProtocol.VariablePrefix, StringComparison.Ordinal))
            .ToDictionary(name => name, name => Environment.GetEnvironmentVariable(name) ?? string.Empty, StringComparer.Ordinal);

    private static void Relay(Decoder decoder, byte[] payload, TextWriter writer)
    {
        char[] chars = new char[decoder.GetCharCount(payload, flush: false)];
        int count = decoder.GetChars(payload, chars, flush: false);
        writer.Write(chars, 0, count);
    }
}
