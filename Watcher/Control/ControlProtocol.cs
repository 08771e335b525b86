using System.Buffers.Binary;
using System.Text.Json.Serialization;
using Onboarding.Engine.IO;

namespace Onboarding.Watcher.Control;

/// <summary>A command line forwarded to the process that holds the data folder, with what it resolves against.</summary>
internal sealed record ControlRequest(IReadOnlyList<string> Args, string CurrentDirectory, IReadOnlyDictionary<string, string> Environment);

[JsonSerializable(typeof(ControlRequest))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;

/// <summary>
/// The control socket's framing: a one-byte kind, a 4-byte little-endian length, the payload. The client sends one
/// <see cref="Request"/>; the holder answers with <see cref="Output"/> and <see cref="Error"/> text (UTF-8) as it is
/// written, then one <see cref="Exit"/> carrying the exit code.
/// </summary>
internal static class ControlProtocol
{
    public const string SocketFileName = ".onboard.sock";

    /// <summary>The environment forwarded with a command: the variables the CLI itself reads.</summary>
    public const string VariablePrefix = "ONBOARD_";

    public const byte Request = (byte)'R';
    public const byte Output = (byte)'O';
    public const byte Error = (byte)'E';
    public const byte Exit = (byte)'X';

    private const int MaxFrame = 1 << 20;

    public static string SocketPath(string dataFolder) => Path.Combine(dataFolder, SocketFileName);

    public static void WriteFrame(Stream stream, byte kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Flush();
    }

    /// <summary>Reads one frame; null at a clean end of the stream.</summary>
    public static (byte Kind, byte[] Payload)? ReadFrame(Stream stream)
    {
        byte[] header = new byte[5];
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length)
        {
            throw new IOException("the control connection closed in the middle of a message");
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
        if (length is < 0 or > MaxFrame)
        {
            throw new InvalidDataException($"control message of {length} bytes refused (at most {MaxFrame})");
        }

        byte[] payload = new byte[length];
        stream.ReadExactly(payload);
        return (header[0], payload);
    }

    public static byte[] ExitPayload(int exitCode)
    {
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, exitCode);
        return payload;
    }

    public static int ReadExit(byte[] payload) => BinaryPrimitives.ReadInt32LittleEndian(payload);
}

/// <summary>What a command writes to one of its streams, sent as frames of one kind (the writers of a connection share a lock).</summary>
internal sealed class FrameStream(Stream connection, byte kind, Lock gate) : WriteOnlyStream
{
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        lock (gate)
        {
            ControlProtocol.WriteFrame(connection, kind, buffer);
        }
    }

    public override void Flush()
    {
    }
}
