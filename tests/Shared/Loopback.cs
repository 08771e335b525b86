using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Onboarding.Testing;

/// <summary>What the real-peer fixtures (sshd, smtp-sink) need from 127.0.0.1.</summary>
public static class Loopback
{
    /// <summary>A port nothing listens on right now (the peer may still lose it to a race: callers retry).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first bytes a server sends on connect ("SSH-2.0-…", "220 …"), or empty when nothing answers.</summary>
    public static string Greeting(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            client.ReceiveTimeout = 2000;
            byte[] buffer = new byte[128];
            int read = client.GetStream().Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return string.Empty;
        }
    }
}
