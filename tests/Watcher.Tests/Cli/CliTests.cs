using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Cli;

/// <summary>The built <c>onboard</c> program, driven the way scripts drive it: arguments in, exit code and JSON out.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Data => _folder.File("data");

    [Fact]
    public void Ingest_ThenSegmentsJson_ListsClientGroupSegmentTypeSizeUpdated()
    {
        string file = WriteFile("HEMSHA2_acme_20260101.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold,", $"HEMSHA2,{Id(2)},Loyalty=Gold;Loyalty=Silver,");

        (int exit, _, string error) = Onboard("ingest", file, "--client", "acme");
        Assert.True(exit == 0, error);

        (exit, string output, _) = Onboard("segments", "--json");
        Assert.Equal(0, exit);
        JsonElement[] segments = [.. JsonDocument.Parse(output).RootElement.EnumerateArray()];
        Assert.Equal(["Gold:2", "Silver:1"], segments.Select(s => $"{s.GetProperty("segment").GetString()}:{s.GetProperty("size").GetInt64()}"));
        Assert.All(segments, s => Assert.Equal(("acme", "Loyalty", "dynamic"), (s.GetProperty("client").GetString(), s.GetProperty("group").GetString(), s.GetProperty("type").GetString())));
        Assert.All(segments, s => Assert.True(s.TryGetProperty("updated", out _)));
    }

    [Fact]
    public void ExitCodes_AreZeroForApplied_OneForRefusedOrDuplicate_TwoForUsage()
    {
        string file = WriteFile("a.csv", $"HEMSHA2,{Id(1)},G=A,");
        Assert.Equal(0, Onboard("ingest", file).ExitCode);
        Assert.Equal(1, Onboard("ingest", file).ExitCode);
        Assert.Equal(1, Onboard("ingest", WriteFile("empty.csv")).ExitCode);
        Assert.Equal(2, Onboard("ingest", file, "--mode", "sideways").ExitCode);
        Assert.Equal(2, Onboard("ingest").ExitCode);
        Assert.Equal(2, Onboard("ingest", _folder.File("missing.csv")).ExitCode);
    }

    [Fact]
    public void Audiences_CreateSizeActivateEditRefused_WithJsonForScripts()
    {
        Assert.Equal(0, Onboard("ingest", WriteFile("a.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold;Interest=Golf,", $"HEMSHA2,{Id(2)},Loyalty=Gold,", $"HEMSHA2,{Id(3)},Interest=Golf,")).ExitCode);

        (int exit, string output, string error) = Onboard("audience", "size", "--expr", "\"Loyalty=Gold\" AND NOT \"Interest=Golf\"", "--json");
        Assert.True(exit == 0, error);
        Assert.Equal(1, JsonDocument.Parse(output).RootElement.GetProperty("size").GetInt64());

        Assert.Equal(0, Onboard("audience", "create", "Gold golfers", "--expr", "\"Loyalty=Gold\" and \"Interest=Golf\"", "--user", "ana").ExitCode);
        (exit, output, _) = Onboard("audience", "activate", "Gold golfers", "--json");
        Assert.Equal(0, exit);
        JsonElement audience = JsonDocument.Parse(output).RootElement;
        Assert.Equal(("Active", 1L, "ana"), (audience.GetProperty("status").GetString(), audience.GetProperty("size").GetInt64(), audience.GetProperty("createdBy").GetString()));

        (exit, _, error) = Onboard("audience", "update", "Gold golfers", "--expr", "\"Loyalty=Gold\"");
        Assert.Equal(1, exit);
        Assert.Contains("is active: its definition was frozen", error, StringComparison.Ordinal);

        (exit, _, error) = Onboard("audience", "size", "--expr", "\"Loyalty=Gld\"");
        Assert.Equal(1, exit);
        Assert.Contains("Loyalty=Gold", error, StringComparison.Ordinal);

        (exit, output, _) = Onboard("audience", "list", "--search", "ana", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("Gold golfers", JsonDocument.Parse(output).RootElement[0].GetProperty("name").GetString());
    }

    private (int ExitCode, string Output, string Error) Onboard(params string[] args) => OnboardProcess.Run(["--data", Data, .. args]);

    private string WriteFile(string name, params string[] rows)
    {
        string path = _folder.File(name);
        File.WriteAllText(path, rows.Length == 0 && name.StartsWith("empty", StringComparison.Ordinal) ? string.Empty : "ID Type,ID,Add,Remove\n" + string.Concat(rows.Select(r => r + "\n")));
        return path;
    }

    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"cli{n}")));

    public void Dispose() => _folder.Dispose();
}
