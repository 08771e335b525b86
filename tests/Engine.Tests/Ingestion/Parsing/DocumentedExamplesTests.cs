using static Onboarding.Engine.Tests.Ingestion.Parsing.OnboardingTestFiles;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

/// <summary>
/// The example onboarding files of the README and docs (fenced blocks starting with the header) are what users copy
/// to start from: each must read without a row error. Examples shortened with "…" are illustrations and are left out.
/// </summary>
public sealed class DocumentedExamplesTests
{
    [Fact]
    public void EveryExampleFile_ReadsWithoutRowErrors()
    {
        string[] documents = ["README.md", "inbox/README.md", .. Directory.GetFiles(SourceTree.File("docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p))];
        int checkedExamples = 0;
        foreach (string document in documents)
        {
            foreach ((int line, string text) in Examples(File.ReadAllLines(SourceTree.File(document))))
            {
                ParsedFile file = Read(text);
                Assert.True(file.Errors.Count == 0, $"{document}:{line}: the example file has row errors: {string.Join("; ", file.Errors.Select(e => $"line {e.Line}: {e.Reason}"))}");
                Assert.True(file.Rows.Count > 0, $"{document}:{line}: the example file has no rows");
                checkedExamples++;
            }
        }

        Assert.True(checkedExamples > 0, "no example file found in the docs: the test reads nothing");
    }

    [Fact]
    public void TheReadmeHasAnExampleFile() =>
        Assert.Single(Examples(File.ReadAllLines(SourceTree.File("README.md"))));

    private static IEnumerable<(int Line, string Text)> Examples(string[] lines)
    {
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal) || !lines[i + 1].StartsWith("ID Type,", StringComparison.Ordinal))
            {
                continue;
            }

            int end = Array.FindIndex(lines, i + 1, l => l.StartsWith("```", StringComparison.Ordinal));
            string[] block = lines[(i + 1)..end];
            if (!block.Any(l => l.Contains('…', StringComparison.Ordinal)))
            {
                yield return (i + 2, string.Join('\n', block) + "\n");
            }

            i = end;
        }
    }
}
