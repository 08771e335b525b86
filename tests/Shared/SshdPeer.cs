using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Onboarding.Testing;

/// <summary>
/// A real Debian OpenSSH <c>sshd</c> for the SFTP tests: a separate instance (never the system one) on 127.0.0.1
/// and a free high port, run from a temp folder with its own config, host key, pid file and log. The test user
/// (<see cref="User"/>, created with useradd if missing) logs in by password or by key and is confined to
/// <c>internal-sftp</c>. Without chroot the user sees the real file system, so a remote folder's path is also
/// where the test reads and writes it on disk. Stopped by PID on Dispose.
/// If sshd cannot start, the constructor throws with the sshd log: the SFTP tests fail, they are never skipped.
/// </summary>
public sealed class SshdPeer : IDisposable
{
    public const string User = "onboard-sftp-test";
    public const string Password = "Onboard-Test-Pass-7431";
    public const string KeyPassphrase = "key-pass-2026";
    public const string Host = "127.0.0.1";

    private const string Sshd = "/usr/sbin/sshd";
    private readonly TempFolder _folder = new();

    public SshdPeer()
    {
        try
        {
            EnsureInstalled();
            Directory.CreateDirectory("/run/sshd");
            string keys = Directory.CreateDirectory(Path.Combine(_folder.Path, "keys")).FullName;
            HomeFolder = Directory.CreateDirectory(Path.Combine(_folder.Path, "home")).FullName;
            MakeWorldWritable(HomeFolder);
            HostKeyPath = Path.Combine(keys, "host_ed25519");
            Ed25519KeyPath = Path.Combine(keys, "id_ed25519");
            EncryptedKeyPath = Path.Combine(keys, "id_ed25519_enc");
            Parallel.Invoke(
                () => Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-C", "peer-host", "-f", HostKeyPath),
                () => Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-C", "test-ed25519", "-f", Ed25519KeyPath),
                () => Run("ssh-keygen", "-q", "-t", "ed25519", "-N", KeyPassphrase, "-C", "test-enc", "-f", EncryptedKeyPath));
            string authorized = Directory.CreateDirectory(Path.Combine(_folder.Path, "authorized_keys")).FullName;
            File.WriteAllText(Path.Combine(authorized, User), File.ReadAllText(Ed25519KeyPath + ".pub") + File.ReadAllText(EncryptedKeyPath + ".pub"));
            HostKeyFingerprint = Fingerprint(File.ReadAllText(HostKeyPath + ".pub"));
            EnsureUser();
            StartOnFreePort(authorized);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; private set; }

    public int Pid { get; private set; }

    /// <summary>The host key's SHA-256 fingerprint, unpadded base64 (what SSH.NET's FingerPrintSHA256 reports).</summary>
    public string HostKeyFingerprint { get; } = string.Empty;

    /// <summary>A well-formed fingerprint of some other key, for mismatch tests.</summary>
    public static string OtherFingerprint { get; } = Convert.ToBase64String(SHA256.HashData("not the peer's key"u8)).TrimEnd('=');

    public string Ed25519KeyPath { get; } = string.Empty;

    public string EncryptedKeyPath { get; } = string.Empty;

    public string HostKeyPath { get; } = string.Empty;

    /// <summary>The sftp user's start folder (world-writable; remote folders go inside it).</summary>
    public string HomeFolder { get; } = string.Empty;

    public string LogPath => Path.Combine(_folder.Path, "sshd.log");

    private string ConfigPath => Path.Combine(_folder.Path, "sshd_config");

    private string PidFile => Path.Combine(_folder.Path, "sshd.pid");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no sshd log)";

    /// <summary>A fresh folder the sftp user can read, write and rename in; its path is the same remotely and locally.</summary>
    public string NewRemoteFolder(string name)
    {
        string path = Directory.CreateDirectory(Path.Combine(HomeFolder, $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 60)])).FullName;
        MakeWorldWritable(path);
        return path;
    }

    /// <summary>Kills (SIGKILL, by PID) every connection process of this sshd, leaving its listener running.</summary>
    public int KillSessions()
    {
        int killed = 0;
        foreach (int pid in Descendants(Pid))
        {
            try
            {
                using Process process = Process.GetProcessById(pid);
                process.Kill();
                killed++;
            }
            catch (ArgumentException)
            {
                // already gone
            }
            catch (InvalidOperationException)
            {
            }
        }

        return killed;
    }

    /// <summary>
    /// Kills (SIGKILL, by PID) the listener and every connection process: the server is gone as if it had crashed, and
    /// transfers in flight are cut. <see cref="Restart"/> brings it back.
    /// </summary>
    public void Kill()
    {
        if (Pid == 0)
        {
            return;
        }

        // Listed before anything dies (a killed parent's children are re-parented out of this tree), and all killed
        // before waiting for any: a transfer in flight must not get to finish while the listener exits.
        List<Process> processes = [];
        foreach (int pid in Descendants(Pid).Prepend(Pid))
        {
            try
            {
                Process process = Process.GetProcessById(pid);
                processes.Add(process);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        foreach (Process process in processes)
        {
            process.WaitForExit(5000);
            process.Dispose();
        }

        Pid = 0;
    }

    /// <summary>Starts sshd again after <see cref="Kill"/>: the same port, host key, users and folders.</summary>
    public void Restart()
    {
        if (Pid != 0)
        {
            throw new InvalidOperationException("sshd is running; Kill it first.");
        }

        for (int attempt = 1; ; attempt++)
        {
            File.Delete(PidFile);
            (int exit, string output) = Run(Sshd, "-f", ConfigPath, "-E", LogPath);
            if (exit == 0 && WaitReady(PidFile))
            {
                return;
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException($"sshd did not restart on {Host}:{Port} (exit {exit}): {output}\n--- sshd log ---\n{Log}");
            }

            Thread.Sleep(200 * attempt);
        }
    }

    public void Dispose()
    {
        Kill();
        _folder.Dispose();
    }

    /// <summary>SHA-256 of the key blob of a <c>.pub</c> line, as <c>ssh-keygen -l -E sha256</c> prints it (without <c>SHA256:</c>).</summary>
    public static string Fingerprint(string publicKeyLine) =>
        Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(publicKeyLine.Split(' ')[1]))).TrimEnd('=');

    private void StartOnFreePort(string authorized)
    {
        string config = ConfigPath;
        string pidFile = PidFile;
        for (int attempt = 1; ; attempt++)
        {
            Port = Loopback.FreePort();
            File.WriteAllText(config, $"""
                # own instance for tests: nothing from /etc/ssh/sshd_config is read
                ListenAddress {Host}
                Port {Port}
                HostKey {HostKeyPath}
                PidFile {pidFile}
                LogLevel VERBOSE
                UsePAM no
                PermitRootLogin no
                PasswordAuthentication yes
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                AuthorizedKeysFile {authorized}/%u
                StrictModes no
                AllowUsers {User}
                Subsystem sftp internal-sftp
                AllowTcpForwarding no
                X11Forwarding no
                PermitTTY no
                MaxStartups 50:30:100
                MaxSessions 20
                Match User {User}
                    ForceCommand internal-sftp -d {HomeFolder}

                """);
            File.Delete(pidFile);
            (int exit, string output) = Run(Sshd, "-f", config, "-E", LogPath);
            if (exit == 0 && WaitReady(pidFile))
            {
                return;
            }

            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out int pid))
            {
                try
                {
                    using Process stray = Process.GetProcessById(pid);
                    stray.Kill();
                }
                catch (ArgumentException)
                {
                }
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"sshd did not start on {Host}:{Port} (exit {exit}): {output}\n--- sshd log ---\n{Log}");
            }
        }
    }

    private bool WaitReady(string pidFile)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (Pid == 0 && File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out int pid))
            {
                Pid = pid;
            }

            if (Pid != 0 && Loopback.Greeting(Port).StartsWith("SSH-2.0-", StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(30);
        }

        return false;
    }

    private static void MakeWorldWritable(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111); // the sftp user is not the test's user
        }
    }

    private static void EnsureInstalled()
    {
        if (File.Exists(Sshd) && File.Exists("/usr/bin/ssh-keygen"))
        {
            return;
        }

        // .ci/run installs it; a developer machine may not have it yet.
        (int exit, string output) = Run("apt-get", "install", "-y", "-q", "--no-install-recommends", "openssh-server", "openssh-client");
        if (exit != 0 || !File.Exists(Sshd))
        {
            throw new InvalidOperationException($"{Sshd} is missing and apt-get install openssh-server failed (are the tests running as root?): {output}");
        }
    }

    private void EnsureUser()
    {
        // Both test projects may start a peer at once: useradd/chpasswd lock /etc/passwd and /etc/shadow, so retry.
        for (int attempt = 1; ; attempt++)
        {
            (int idExit, _) = Run("id", User);
            (int addExit, string addOutput) = idExit == 0 ? (0, string.Empty) : Run("useradd", "-M", "-d", HomeFolder, "-s", "/usr/sbin/nologin", User);
            (int passExit, string passOutput) = addExit is 0 or 9 ? RunWithInput($"{User}:{Password}\n", "chpasswd") : (addExit, addOutput);
            if (passExit == 0)
            {
                return;
            }

            if (attempt == 10)
            {
                throw new InvalidOperationException($"Cannot create the SFTP test user {User} (the tests must run as root): {addOutput}{passOutput}");
            }

            Thread.Sleep(200 * attempt);
        }
    }

    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                int parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!parents.TryGetValue(parent, out List<int>? children))
                {
                    parents[parent] = children = [];
                }

                children.Add(pid);
            }
            catch (IOException)
            {
            }
        }

        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out int pid))
        {
            foreach (int child in parents.GetValueOrDefault(pid) ?? [])
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }

        return result;
    }

    private static (int ExitCode, string Output) Run(string program, params string[] args) => RunWithInput(null, program, args);

    private static (int ExitCode, string Output) RunWithInput(string? input, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}

/// <summary>One sshd serves every SFTP test class of a test assembly: <c>[Collection(SshdCollection.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class SshdCollection : ICollectionFixture<SshdPeer>
{
    public const string Name = "sshd";
}
