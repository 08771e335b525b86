using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Onboarding.Testing;

/// <summary>
/// A real SMTP server for the notification tests: Postfix's <c>smtp-sink</c> on 127.0.0.1 and a free high port, writing
/// each message it receives (its envelope as <c>X-Mail-Args</c>/<c>X-Rcpt-Args</c> headers, then the message as sent) to
/// a file of its own in <see cref="MailFolder"/>. <c>.ci/run</c> installs it (package postfix). Stopped by PID on Dispose.
/// If it cannot start, the constructor throws: the tests fail, they are never skipped.
/// </summary>
public sealed class SmtpSinkPeer : IDisposable
{
    public const string Host = "127.0.0.1";
    private const string SmtpSink = "/usr/sbin/smtp-sink";
    private readonly TempFolder _folder = new();
    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <param name="options">Extra smtp-sink options, e.g. <c>-f RCPT</c> to refuse every recipient.</param>
    public SmtpSinkPeer(params string[] options)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(SmtpSink))
        {
            throw new InvalidOperationException($"{SmtpSink} is missing: install the postfix package (.ci/run does).");
        }

        MailFolder = Directory.CreateDirectory(Path.Combine(_folder.Path, "mail")).FullName;
        File.SetUnixFileMode(MailFolder, (UnixFileMode)0b111_111_111); // run as root, smtp-sink writes as nobody
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                Port = Loopback.FreePort();
                Start(options);
                if (WaitReady())
                {
                    return;
                }

                Stop();
                if (attempt == 3)
                {
                    throw new InvalidOperationException($"smtp-sink did not start on {Host}:{Port}: {Output}");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; private set; }

    public int Pid => _process?.Id ?? 0;

    public string MailFolder { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The messages received so far, oldest first, each as smtp-sink wrote it.</summary>
    public IReadOnlyList<string> Messages() =>
        [.. new DirectoryInfo(MailFolder).GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name).Select(f => File.ReadAllText(f.FullName))];

    /// <summary>Waits (real time, generous for a loaded machine) until at least <paramref name="count"/> messages are complete.</summary>
    public IReadOnlyList<string> WaitForMessages(int count, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // smtp-sink ends every capture with an empty line once the message's final "." arrived.
            IReadOnlyList<string> messages = Messages();
            if (messages.Count >= count && messages.All(m => m.EndsWith("\n\n", StringComparison.Ordinal)))
            {
                return messages;
            }

            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"smtp-sink received {messages.Count} complete message(s), not {count}: {Output}");
            }

            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        Stop();
        _folder.Dispose();
    }

    private void Start(string[] options)
    {
        var start = new ProcessStartInfo(SmtpSink) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Environment.UserName == "root")
        {
            start.ArgumentList.Add("-u"); // smtp-sink refuses to keep root privileges
            start.ArgumentList.Add("nobody");
        }

        foreach (string option in options)
        {
            start.ArgumentList.Add(option);
        }

        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(Path.Combine(MailFolder, "message-"));
        start.ArgumentList.Add($"{Host}:{Port}");
        start.ArgumentList.Add("16");
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {SmtpSink}");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot start {SmtpSink}: {ex.Message}", ex);
        }

        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private bool WaitReady()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10) && _process is { HasExited: false })
        {
            if (Loopback.Greeting(Port).StartsWith("220 ", StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(30);
        }

        return false;
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
        _process = null;
    }
}
