using System.Diagnostics;

namespace Onboarding.Testing;

/// <summary>
/// A size-limited tmpfs mounted for one test (disk full, read-only and immutable folders for real, not simulated).
/// Needs root on Linux; <see cref="Unavailable"/> says why it cannot be used, for the test's skip reason.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private const string Filler = "filler.bin";

    public TmpfsMount(long sizeBytes)
    {
        Directory.CreateDirectory(Path);
        Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes},mode=0700", "onboarding-test", Path);
    }

    /// <summary>Null when tmpfs mounts are possible here, else why not.</summary>
    public static string? Unavailable { get; } = FindWhyUnavailable();

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "onboarding-tmpfs", Guid.NewGuid().ToString("N"));

    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Fills the file system until exactly <paramref name="leaveFree"/> bytes (a multiple of 4 KiB) stay free.</summary>
    public void Fill(long leaveFree)
    {
        using var file = new FileStream(System.IO.Path.Combine(Path, Filler), FileMode.Append, FileAccess.Write);
        byte[] block = new byte[4096];
        while (FreeBytes > leaveFree)
        {
            file.Write(block);
            file.Flush();
        }
    }

    public void Unfill() => File.Delete(System.IO.Path.Combine(Path, Filler));

    public void RemountReadOnly(bool readOnly) => Run("mount", "-o", readOnly ? "remount,ro" : "remount,rw", Path);

    /// <summary>chattr +i / -i: not even root may create, change or delete entries of an immutable folder.</summary>
    public static void SetImmutable(string path, bool immutable) => Run("chattr", "-R", immutable ? "+i" : "-i", path);

    public void Dispose()
    {
        try
        {
            Run("chattr", "-R", "-i", Path);
        }
        catch (InvalidOperationException)
        {
            // Nothing immutable, or chattr missing: the unmount below still releases everything.
        }

        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }

    private static string? FindWhyUnavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux (tmpfs)";
        }

        string? uid = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        if (uid?.Split('\t', StringSplitOptions.RemoveEmptyEntries) is not [_, "0", ..])
        {
            return "needs root to mount a size-limited tmpfs (run the tests as root, as CI does)";
        }

        try
        {
            using var probe = new TmpfsMount(1 << 20);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"cannot mount tmpfs here: {ex.Message}";
        }
    }
}

/// <summary>A fact that needs <see cref="TmpfsMount"/>; skipped, with the reason shown, where it cannot mount.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (TmpfsMount.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
