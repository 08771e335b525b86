using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Tests.Control;

/// <summary>
/// <c>onboard</c> commands next to a running <c>onboard watch</c> (real processes): they find the data folder locked
/// and run inside the watcher over its control socket.
/// </summary>
public sealed class ForwardedCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Inbox => _folder.File("inbox");

    private string Data => _folder.File("data");

    [Fact]
    public void WhileWatchRuns_Commands_RunInsideIt_SeeItsState_AndReportTheirFailures()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "acme"));
        using WatchProcess watcher = WatchProcess.Start(Data, Inbox);
        Drop("acme", "f1.csv", Csv(0, 10, "Tier=Gold"));
        WatchProcess.WaitUntil(() => Directory.Exists(Path.Combine(Inbox, "processed")) && Directory.GetFiles(Path.Combine(Inbox, "processed"), "f1.csv", SearchOption.AllDirectories).Length == 1, TimeSpan.FromSeconds(30));

        (int exit, string output, string error) = OnboardProcess.Run("--data", Data, "files", "--json");
        Assert.True(exit == 0, error);
        ReceivedFile received = Assert.Single(JsonSerializer.Deserialize(output, ReceivedFileJsonContext.Default.IReadOnlyListReceivedFile)!);
        Assert.Equal(("f1.csv", ReceivedFileState.Processed, 10L), (received.Name, received.State, received.RowsApplied));

        (exit, output, error) = OnboardProcess.Run("--data", Data, "segments", "--client", "acme", "--json");
        Assert.True(exit == 0, error);
        Assert.Contains("\"segment\": \"Gold\"", output, StringComparison.Ordinal);

        (exit, _, error) = OnboardProcess.Run("--data", Data, "audience", "create", "Gold tier", "--client", "acme", "--expr", "\"Tier=Gold\"");
        Assert.True(exit == 0, error);
        (exit, output, error) = OnboardProcess.Run("--data", Data, "audience", "list", "--client", "acme", "--json");
        Assert.True(exit == 0, error);
        Assert.Contains("\"name\": \"Gold tier\"", output, StringComparison.Ordinal);

        // A relative file and data folder resolve against the caller's directory, not the watcher's.
        string work = _folder.File("work");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "more.csv"), Csv(100, 5, "Tier=Silver"));
        (exit, output, error) = OnboardProcess.RunIn(work, "--data", "../data", "ingest", "more.csv", "--client", "acme");
        Assert.True(exit == 0, error);
        Assert.Contains("more.csv (acme, delta): applied", output, StringComparison.Ordinal);

        // A command that fails inside the watcher: exit 1 and its message, on the caller's stderr.
        (exit, output, error) = OnboardProcess.Run("--data", Data, "audience", "create", "Nothing", "--client", "acme", "--expr", "\"Nope=Gold\"");
        Assert.Equal(1, exit);
        Assert.Contains("unknown group \"Nope\"", error, StringComparison.Ordinal);
        Assert.Empty(output);

        // Commands that make no sense inside the watcher are refused, clearly.
        (exit, _, error) = OnboardProcess.Run("--data", Data, "watch", "--inbox", Inbox);
        Assert.Equal(1, exit);
        Assert.Contains("already watches the inbox", error, StringComparison.Ordinal);
        (exit, _, error) = OnboardProcess.Run("--data", Data, "keys", "rotate");
        Assert.Equal(1, exit);
        Assert.Contains("stop it, rotate the key, then start it again", error, StringComparison.Ordinal);

        Assert.Contains("Running a forwarded command: onboard ingest", watcher.Output, StringComparison.Ordinal);
        watcher.Terminate();
        Assert.Equal(0, watcher.WaitForExit());
        Assert.False(File.Exists(Path.Combine(Data, ".onboard.sock")), "the socket is removed on a clean stop");

        using DataFolder data = DataFolder.Open(Data);
        Assert.Equal(5, data.Client("acme").FindSegment("Tier", "Silver")!.Size);
    }

    [Fact]
    public void AStaleSocket_IsIgnoredByTheCli_AndReplacedByTheNextHolder()
    {
        Directory.CreateDirectory(Inbox);
        string socketPath = Path.Combine(Data, ".onboard.sock");
        using (WatchProcess died = WatchProcess.Start(Data, Inbox))
        {
            // Disposing kills it (SIGKILL): the socket file stays behind and nobody answers on it.
        }

        Assert.True(File.Exists(socketPath));
        (int exit, _, string error) = OnboardProcess.Run("--data", Data, "files");
        Assert.True(exit == 0, error);

        using WatchProcess watcher = WatchProcess.Start(Data, Inbox);
        Assert.Contains("Removing the stale control socket", watcher.Output, StringComparison.Ordinal);
        (exit, _, error) = OnboardProcess.Run("--data", Data, "files");
        Assert.True(exit == 0, error);
        Assert.Contains("Running a forwarded command: onboard files", watcher.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderLockedByAProcessThatDoesNotServeIt_KeepsTheClearLockedError()
    {
        using DataFolder held = DataFolder.Open(Data);

        (int exit, _, string error) = OnboardProcess.Run("--data", Data, "segments");

        Assert.Equal(1, exit);
        Assert.Contains("is in use by another onboard process", error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private void Drop(string client, string name, string text)
    {
        string part = Path.Combine(Inbox, client, name + ".part");
        File.WriteAllText(part, text);
        File.Move(part, Path.Combine(Inbox, client, name));
    }

    private static string Csv(int first, int rows, string segment)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int n = first; n < first + rows; n++)
        {
            text.Append("HEMSHA2,").Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"p{n}")))).Append(',').Append(segment).Append(",\n");
        }

        return text.ToString();
    }
}
