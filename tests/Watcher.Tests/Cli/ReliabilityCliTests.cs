using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Onboarding.Watcher.Tests.Cli;

/// <summary><c>onboard forget</c>, <c>audit</c>, <c>backup</c>/<c>restore</c> and tenant isolation, through the built program.</summary>
public sealed class ReliabilityCliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Data => _folder.File("data");

    [Fact]
    public void Forget_RemovesTheIdEverywhere_KeepsItOutOfReuploads_UntilUndo_AndIsAudited()
    {
        Ok("ingest", WriteFile("a.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold;Interest=Golf,", $"HEMSHA2,{Id(2)},Loyalty=Gold,"), "--client", "acme");
        Ok("audience", "create", "Gold", "--expr", "\"Loyalty=Gold\"", "--client", "acme", "--user", "ana");
        Ok("audience", "activate", "Gold", "--client", "acme");
        File.WriteAllLines(_folder.File("forget.txt"), ["# request 42", Id(1), string.Empty]);

        JsonElement forgotten = Json(Ok("forget", "--client", "acme", "--id-type", "HEMSHA2", "--file", _folder.File("forget.txt"), "--user", "dpo", "--json"));
        Assert.Equal((1, 2), (forgotten.GetProperty("suppressionChanged").GetInt32(), forgotten.GetProperty("segments").GetArrayLength()));

        Assert.Equal(1, SegmentSize("Loyalty=Gold"));
        Assert.Equal(0, SegmentSize("Interest=Golf"));
        Assert.Equal(1, Json(Ok("audience", "size", "--expr", "\"Loyalty=Gold\"", "--client", "acme", "--json")).GetProperty("size").GetInt64());
        Assert.Equal(1, Json(Ok("process", "--client", "acme", "--json")).GetProperty("processed")[0].GetProperty("size").GetInt64());

        Ok("ingest", WriteFile("b.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold,", $"HEMSHA2,{Id(3)},Loyalty=Gold,"), "--client", "acme");
        Assert.Equal(2, SegmentSize("Loyalty=Gold")); // 2 and 3: the re-upload did not bring 1 back

        Ok("forget", "--undo", "--client", "acme", "--id-type", "HEMSHA2", Id(1));
        Ok("ingest", WriteFile("c.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold,"), "--client", "acme");
        Assert.Equal(3, SegmentSize("Loyalty=Gold"));

        JsonElement[] audit = [.. Json(Ok("audit", "--client", "acme", "--json")).EnumerateArray()];
        Assert.Equal(
            ["ana audience.create", $"{Environment.UserName} audience.activate", "dpo forget", $"{Environment.UserName} forget.undo"],
            audit.Select(r => $"{r.GetProperty("actor").GetString()} {r.GetProperty("action").GetString()}"));
        Assert.Contains("from forget.txt", audit[2].GetProperty("target").GetString(), StringComparison.Ordinal);

        (int exit, _, string error) = Onboard("forget", "--client", "acme", "--id-type", "HEMSHA2", "not-an-id");
        Assert.Equal(1, exit);
        Assert.Contains("ID 1 (\"not-an-id\") is not a valid HEMSHA2", error, StringComparison.Ordinal);
        Assert.Equal(2, Onboard("forget", "--client", "acme", "--id-type", "SSN", Id(1)).ExitCode);
    }

    [Fact]
    public void Backup_ThenRestore_GivesTheSameSegmentsAndAudiences()
    {
        Ok("ingest", WriteFile("a.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold,", $"HEMSHA2,{Id(2)},Loyalty=Silver,"), "--client", "acme");
        Ok("audience", "create", "Gold", "--expr", "\"Loyalty=Gold\"", "--client", "acme");
        string restored = _folder.File("restored");

        Ok("backup", "--out", _folder.File("backup"));
        (int exit, string output, string error) = OnboardProcess.Run("--data", restored, "restore", "--from", _folder.File("backup"));
        Assert.True(exit == 0, error);
        Assert.Contains("verified", output, StringComparison.Ordinal);

        Assert.Equal(Ok("segments", "--json"), OnboardProcess.Run("--data", restored, "segments", "--json").Output);
        Assert.Equal(Ok("audience", "list", "--client", "acme", "--json"), OnboardProcess.Run("--data", restored, "audience", "list", "--client", "acme", "--json").Output);

        (exit, _, error) = OnboardProcess.Run("--data", restored, "restore", "--from", _folder.File("backup"));
        Assert.Equal(1, exit);
        Assert.Contains("is not empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OneClient_CannotReadAnothersSegmentsAudiencesOrIds()
    {
        Ok("ingest", WriteFile("acme.csv", $"HEMSHA2,{Id(1)},Loyalty=Gold,", $"HEMSHA2,{Id(2)},Loyalty=Gold;Secret=Acme,"), "--client", "acme");
        Ok("ingest", WriteFile("beta.csv", $"HEMSHA2,{Id(1)},Loyalty=Silver,"), "--client", "beta");
        Ok("audience", "create", "Acme gold", "--expr", "\"Loyalty=Gold\"", "--client", "acme");

        (int exit, _, string error) = Onboard("audience", "size", "--expr", "@\"Acme gold\"", "--client", "beta");
        Assert.Equal(1, exit);
        Assert.Contains("Acme gold", error, StringComparison.Ordinal);

        (exit, _, error) = Onboard("audience", "size", "--expr", "\"Secret=Acme\"", "--client", "beta");
        Assert.Equal(1, exit);

        JsonElement size = Json(Ok("audience", "size", "--expr", "\"Loyalty=*\"", "--client", "beta", "--json"));
        Assert.Equal((1, 1), (size.GetProperty("size").GetInt64(), size.GetProperty("baseSize").GetInt64()));
        Assert.Equal(1, Onboard("segment", "show", "Secret=Acme", "--client", "beta").ExitCode);
        Assert.Empty(Json(Ok("audience", "list", "--client", "beta", "--json")).EnumerateArray());

        foreach (string hostile in new[] { "../acme", "beta/../acme", "/acme", "..", "acme\n" })
        {
            (exit, _, error) = Onboard("segments", "--client", hostile);
            Assert.True(exit == 1, $"--client \"{hostile}\" exited {exit}");
            Assert.Contains("is not valid", error, StringComparison.Ordinal);
            Assert.Equal(1, Onboard("audience", "list", "--client", hostile).ExitCode);
            Assert.Equal(1, Onboard("forget", "--client", hostile, "--id-type", "HEMSHA2", Id(1)).ExitCode);
        }

        Assert.Equal(["acme", "beta"], Directory.EnumerateDirectories(Path.Combine(Data, "clients")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private long SegmentSize(string name) =>
        Json(Ok("segment", "show", name, "--client", "acme", "--json")).GetProperty("segment").GetProperty("size").GetInt64();

    private string Ok(params string[] args)
    {
        (int exit, string output, string error) = Onboard(args);
        Assert.True(exit == 0, $"onboard {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }

    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    private (int ExitCode, string Output, string Error) Onboard(params string[] args) => OnboardProcess.Run(["--data", Data, .. args]);

    private string WriteFile(string name, params string[] rows)
    {
        string path = _folder.File(name);
        File.WriteAllText(path, "ID Type,ID,Add,Remove\n" + string.Concat(rows.Select(r => r + "\n")));
        return path;
    }

    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"reliability{n}")));

    public void Dispose() => _folder.Dispose();
}
