using System.Diagnostics;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;

namespace Onboarding.Tui.Tests;

/// <summary>
/// The real program in a detached tmux pane, started the README's way (no options) in a temporary folder holding a
/// copy of the repository's sample inbox: the samples are ingested and moved to processed/, screens switch, search
/// filters, Esc clears it, an audience is built with the builder, previewed and activated, exported to a local folder
/// destination set up on the Manage exports screen and run now, F8 switches client, Ctrl+Q quits with exit code 0.
/// </summary>
public sealed class TmuxEndToEndTests
{
    private static readonly string ProgramPath = Path.Combine(AppContext.BaseDirectory, "onboarding-tui.dll");

    [TmuxFact]
    public void RealProgram_IngestsTheSampleInbox_SwitchesScreens_Searches_Quits()
    {
        using var folder = new TempFolder();
        string inbox = folder.File("inbox");
        string samples = Path.Combine(AppContext.BaseDirectory, "SampleInbox");
        string[] sampleFiles = [.. Directory.GetFiles(samples, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        Assert.True(sampleFiles.Length == 5, $"the sample inbox has {sampleFiles.Length} of its 5 files: a run of the TUI in the checkout moved them to inbox/processed/; `git checkout inbox` puts them back");
        foreach (string sample in sampleFiles)
        {
            // In name order, so the dates in the names are also the order the watcher sees them arrive in.
            string target = Path.Combine(inbox, Path.GetRelativePath(samples, sample));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(sample, target);
        }

        // The sample audience (a few dozen people) is below the default minimum export size; the operator lowers it beforehand.
        string dataPath = folder.File("data");
        DataFolder.Open(dataPath).Dispose();
        new ExportService(dataPath, DataFolder.DefaultClient).SetMinimumAudienceSize(1);
        string drop = folder.File("drop");
        Directory.CreateDirectory(drop);

        using var tmux = new Tmux();
        tmux.Start(folder.Path, $"dotnet '{ProgramPath}'; echo EXITED rc=$?; sleep 30");

        tmux.WaitFor("Loyalty", "the segments screen with the ingested segments");
        tmux.WaitFor("Silver", "every segment");
        tmux.WaitFor("Spring 2025 mailing", "the static sample segment");
        Assert.Contains("Group ▲", tmux.Screen());
        tmux.WaitFor($"inbox: watching {inbox}", "the watcher's state");

        tmux.Keys("F3");
        tmux.WaitFor("HEMSHA2_default_20250108.csv", "the ingestion screen");
        Assert.Contains("applied", tmux.Screen());

        tmux.Keys("F2");
        tmux.WaitFor("Sort: name A-Z", "the segments screen again");
        tmux.Keys("C-f");
        tmux.Literal("gold");
        tmux.WaitFor("Search: gold", "the search text");
        tmux.WaitUntil(s => !s.Contains("Silver", StringComparison.Ordinal), "the search to filter out Silver");
        Assert.Contains("Gold", tmux.Screen());

        tmux.Keys("Escape");
        tmux.WaitFor("Silver", "Esc to clear the search (and not quit)");

        // An audience built with the builder: Gold members who do not run.
        tmux.Keys("F4");
        tmux.WaitFor("Ctrl+N: new audience", "the audiences screen");
        tmux.Keys("C-n");
        tmux.WaitFor("No rows yet", "the audience editor");
        tmux.Literal("Gold walkers");
        tmux.Keys("F2");
        tmux.WaitFor("Add a row: pick", "the segment picker");
        tmux.Literal("loyalty gold");
        tmux.WaitUntil(s => !s.Contains("Loyalty=Silver", StringComparison.Ordinal), "the picker to filter");
        tmux.Keys("Enter");
        tmux.WaitFor("+ include  \"Loyalty=Gold\"", "the first row");
        tmux.Keys("F2");
        tmux.WaitFor("Add a row: pick", "the segment picker again");
        tmux.Literal("running");
        tmux.WaitUntil(s => !s.Contains("Loyalty=Gold\"│", StringComparison.Ordinal), "the picker to filter");
        tmux.Keys("Enter");
        tmux.WaitFor("+ include  \"Interest=Running\"", "the second row");
        tmux.Keys("F3");
        tmux.WaitFor("− exclude  \"Interest=Running\"", "the row to be excluded");

        // The figures the editor must show are the engine's, asked through the CLI (forwarded to the running TUI).
        (long size, long baseSize) = PreviewThroughCli(Path.Combine(folder.Path, "data"), "\"Loyalty=Gold\" AND NOT \"Interest=Running\"");
        Assert.InRange(size, 1, baseSize - 1);
        string percent = ((double)size / baseSize).ToString("0.0%", System.Globalization.CultureInfo.InvariantCulture);
        tmux.WaitFor($"Size now: {size:N0}  ·  {percent} of base ({baseSize:N0})", "the live preview");
        tmux.Keys("F7");
        tmux.WaitFor("cannot be edited afterwards", "the activation confirmation");
        tmux.Keys("M-a");
        tmux.WaitFor("Audience Gold walkers (active, read-only)", "the activated audience, read-only");
        tmux.Keys("Escape");
        tmux.WaitUntil(s => System.Text.RegularExpressions.Regex.IsMatch(s, $@"│active│Gold walkers\s*│[^│]*│[^│]*│[^│]*│\s*{size}│\s*{System.Text.RegularExpressions.Regex.Escape(percent)}│"), "the active audience on the dashboard");

        // Its export: a local folder destination, an export configured in the builder, run now.
        tmux.Keys("F7");
        tmux.WaitFor("0 exports, 0 active, 0 runs", "the exports screen");
        tmux.Keys("M-d");
        tmux.WaitFor("│User name│", "the Destinations tab");
        tmux.Keys("C-n");
        tmux.WaitFor("Add destination", "the destination dialog");
        tmux.Literal("drop");
        tmux.Keys("Tab");       // Name → the type's two options → Folder
        tmux.Keys("Tab");
        tmux.Keys("Tab");
        tmux.Literal(drop);
        tmux.WaitFor($"Folder (local)      {drop}", "the folder typed");
        tmux.Keys("C-s");
        tmux.WaitFor($"Destination \"drop\" added: {drop}.", "the destination saved");
        tmux.Keys("M-c");
        tmux.WaitFor("│Audience│Name│Type│Repeats│", "the Configuration tab");
        tmux.Keys("C-n");
        tmux.WaitFor("New export", "the export builder");
        tmux.Literal("Gold walkers");
        tmux.Keys("Tab");
        tmux.Literal("walkers-drop");
        tmux.Keys("Tab");       // the file name template keeps its default
        tmux.Keys("Tab");
        tmux.Literal("drop");
        tmux.Keys("C-s");
        tmux.WaitFor("Export \"walkers-drop\" saved (paused)", "the export saved");
        tmux.Keys("C-r");
        tmux.WaitFor($"Export \"walkers-drop\" complete: {size:N0} rows", "the run now");
        tmux.WaitUntil(s => System.Text.RegularExpressions.Regex.IsMatch(s, $@"│complete│[^│]*│Gold walkers│walkers-drop│one-time│csv, full│\s*{size}│"), "the complete history row");
        tmux.Keys("F2");
        tmux.WaitFor("Sort: name A-Z (F6)", "the segments screen");

        tmux.Keys("F8");
        tmux.WaitFor("Switch client", "the client picker");
        tmux.Keys("Up");        // the picker starts on the current client (default); acme sorts first
        tmux.Keys("Enter");
        tmux.WaitFor("client: acme", "the switch to acme");
        tmux.WaitFor("Device", "acme's segments");
        Assert.DoesNotContain("Loyalty", tmux.Screen());

        tmux.Keys("C-q");
        tmux.WaitFor("EXITED rc=0", "the program to exit with 0");

        // The default data folder, and the samples moved through the inbox lifecycle.
        Assert.True(File.Exists(Path.Combine(folder.Path, "data", "catalog.db")));
        string[] tree = [.. Directory.GetFiles(inbox, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(inbox, f)).Order(StringComparer.Ordinal)];
        string[] processed = [.. tree.Where(f => f.StartsWith("processed", StringComparison.Ordinal) && f.EndsWith(".csv", StringComparison.Ordinal) && !f.EndsWith(".rejects.csv", StringComparison.Ordinal))];
        Assert.True(processed.Length == 5, "the inbox after the run:\n" + string.Join('\n', tree));
        Assert.Single(tree, f => f.EndsWith("HEMSHA2_default_20250101.csv.rejects.csv", StringComparison.Ordinal));

        // The delivered file holds exactly the audience: the same bytes as `onboard export now` writes for it.
        string delivered = Assert.Single(Directory.GetFiles(drop));
        string expected = folder.File("expected.csv");
        using (DataFolder data = DataFolder.Open(dataPath))
        {
            new ExportRunner(data, DataFolder.DefaultClient, SecretProtector.Open(dataPath)).ExportToFileAsync("Gold walkers", expected, new ExportFormat(), CancellationToken.None).GetAwaiter().GetResult();
        }

        Assert.Equal(size + 1, File.ReadAllLines(delivered).Length);     // the header and every walker
        Assert.Equal(File.ReadAllText(expected), File.ReadAllText(delivered));
    }

    private static (long Size, long BaseSize) PreviewThroughCli(string data, string expression)
    {
        (int exit, string json, string error) = OnboardProcess.Run("--data", data, "audience", "size", "--expr", expression, "--json");
        Assert.True(exit == 0, error);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return (document.RootElement.GetProperty("size").GetInt64(), document.RootElement.GetProperty("baseSize").GetInt64());
    }

    /// <summary>A fact that is skipped, with the reason, when tmux is not installed.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class TmuxFactAttribute : FactAttribute
    {
        public TmuxFactAttribute()
        {
            if (Tmux.Find() is null)
            {
                Skip = "tmux is not installed (.ci/run installs it); the end-to-end test needs it.";
            }
        }
    }

    /// <summary>A private tmux server (its own socket) holding one session.</summary>
    private sealed class Tmux : IDisposable
    {
        private readonly string _socket = "onboarding-e2e-" + Guid.NewGuid().ToString("N")[..8];

        public static string? Find() =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(dir => Path.Combine(dir, "tmux"))
                .FirstOrDefault(File.Exists);

        public void Start(string workingDirectory, string command) =>
            Run("new-session", "-d", "-s", "tui", "-x", "140", "-y", "40", "-c", workingDirectory, command);

        public string Screen() => Run("capture-pane", "-t", "tui", "-p");

        public void Keys(string key)
        {
            Run("send-keys", "-t", "tui", key);
            Thread.Sleep(200);
        }

        public void Literal(string text)
        {
            Run("send-keys", "-t", "tui", "-l", text);
            Thread.Sleep(200);
        }

        public void WaitFor(string text, string what) => WaitUntil(s => s.Contains(text, StringComparison.Ordinal), what);

        public void WaitUntil(Func<string, bool> condition, string what)
        {
            var clock = Stopwatch.StartNew();
            string screen = Screen();
            while (!condition(screen))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    Assert.Fail($"timed out waiting for {what}; the pane:\n{screen}");
                }

                Thread.Sleep(100);
                screen = Screen();
            }
        }

        public void Dispose()
        {
            try
            {
                Run("kill-server");
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }

        private string Run(params string[] args)
        {
            var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-L");
            start.ArgumentList.Add(_socket);
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment.Remove("DisableRealDriverIO");   // set for the headless tests; the real program must draw
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start tmux");
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {error}");
            }

            return output;
        }
    }
}
