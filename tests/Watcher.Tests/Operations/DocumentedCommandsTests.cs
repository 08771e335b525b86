using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using Onboarding.Watcher.Cli;

namespace Onboarding.Watcher.Tests.Operations;

/// <summary>
/// Users type the <c>onboard</c> command lines of the README and docs as written: every one of them must name commands
/// that exist, with options those commands have. A renamed command or option fails here, naming the doc and the line.
/// </summary>
public sealed partial class DocumentedCommandsTests
{
    private static readonly CliContext Context = new()
    {
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        CurrentDirectory = Path.GetTempPath(),
        Variable = _ => null,
    };

    public static TheoryData<string> Documents() =>
    [
        "README.md",
        "inbox/README.md",
        .. Directory.GetFiles(SourceTree.File("docs"), "*.md").Select(f => Path.GetRelativePath(SourceTree.Root, f)).Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryOnboardCommandLine_NamesCommandsAndOptionsThatExist(string document)
    {
        RootCommand root = OnboardCommandLine.Build(Context);
        List<string> problems = [];
        foreach ((int line, string commandLine) in CommandLines(File.ReadAllLines(SourceTree.File(document))))
        {
            problems.AddRange(Check(root, Tokens(commandLine)).Select(p => $"{document}:{line}: `onboard {commandLine}`: {p}"));
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("README.md", 20)]
    [InlineData("docs/OPERATIONS.md", 10)]
    public void TheCheck_FindsTheCommandLinesOfTheMainDocuments(string document, int atLeast) =>
        Assert.True(CommandLines(File.ReadAllLines(SourceTree.File(document))).Count() >= atLeast,
            $"{document}: fewer than {atLeast} `onboard …` command lines found: the check would pass reading nothing");

    [Fact]
    public void TheCheck_CatchesAnUnknownCommandOrOption()
    {
        RootCommand root = OnboardCommandLine.Build(Context);
        string[] lines =
        [
            "```",
            "onboard audience frobnicate \"Gold\"",
            "sudo -u onboard /opt/onboard/onboard status --no-such-option",
            "onboard segments [--client acme] --json",
            "```",
            "Then `onboard export run|launch NAME` and `onboard files retry x.csv --client C --force`.",
        ];

        string[] problems = [.. CommandLines(lines).SelectMany(c => Check(root, Tokens(c.CommandLine)).Select(p => $"{c.Line}: {p}"))];

        Assert.Equal(
            [
                "2: \"frobnicate\" is not a command of onboard audience",
                "3: onboard status has no option --no-such-option",
                "6: \"launch\" is not a command of onboard export",
            ],
            problems);
    }

    /// <summary>
    /// The text after <c>onboard</c> of each command line: a line of a fenced block that starts with the program
    /// (after <c>VAR=value</c>, <c>sudo -u USER</c> or a path to it; continuations joined, <c># comments</c> left out),
    /// and an inline code span that starts with it.
    /// </summary>
    private static IEnumerable<(int Line, string CommandLine)> CommandLines(IReadOnlyList<string> lines)
    {
        bool fenced = false;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced)
            {
                int first = i;
                StringBuilder joined = new(WithoutComment(lines[i]));
                while (joined.ToString().TrimEnd().EndsWith('\\') && i + 1 < lines.Count)
                {
                    joined.Length = joined.ToString().TrimEnd().Length - 1;
                    joined.Append(' ').Append(WithoutComment(lines[++i]));
                }

                if (ProgramAtStart().Match(joined.ToString()) is { Success: true } match)
                {
                    yield return (first + 1, match.Groups["rest"].Value.Trim());
                }

                continue;
            }

            foreach (Match span in InlineCode().Matches(lines[i]))
            {
                if (ProgramAtStart().Match(span.Groups["code"].Value) is { Success: true } match && !match.Value.Contains("<TAB>", StringComparison.Ordinal))
                {
                    yield return (i + 1, match.Groups["rest"].Value.Trim());
                }
            }
        }
    }

    private static string WithoutComment(string line) => CommentStart().Split(line, 2)[0];

    private static List<string> Check(Command root, IReadOnlyList<string> tokens) => Check(root, "onboard", tokens, 0);

    /// <summary>Walks the command words (<c>a|b</c> checks each alternative), then checks every <c>--option</c> after them.</summary>
    private static List<string> Check(Command command, string path, IReadOnlyList<string> tokens, int next)
    {
        if (next < tokens.Count && !IsOption(tokens[next]) && command.Subcommands.Count > 0)
        {
            string word = Bare(tokens[next]);
            string[] alternatives = word.Split('|');
            Command?[] found = [.. alternatives.Select(a => command.Subcommands.FirstOrDefault(s => s.Name == a || s.Aliases.Contains(a)))];
            if (found.Any(f => f is not null))
            {
                return [.. alternatives.Zip(found).SelectMany(pair => pair.Second is { } sub
                    ? Check(sub, $"{path} {sub.Name}", tokens, next + 1)
                    : [$"\"{pair.First}\" is not a command of {path}"])];
            }

            if (command.Arguments.Count == 0 && word != "…")
            {
                return [$"\"{word}\" is not a command of {path}"];
            }
        }

        HashSet<string> options = [.. OptionNames(command), "--help", "-h", "--version"];
        return [.. tokens.Skip(next).Where(IsOption).Select(t => Bare(t).Split('=')[0]).Where(o => !options.Contains(o)).Select(o => $"{path} has no option {o}")];
    }

    /// <summary>The command's own options and the recursive ones of the commands above it (<c>--data</c>, <c>--json</c>).</summary>
    private static IEnumerable<string> OptionNames(Command command)
    {
        IEnumerable<Option> options = command.Options;
        for (Command? parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            options = options.Concat(parent.Options.Where(o => o.Recursive));
        }

        return options.SelectMany(o => o.Aliases.Prepend(o.Name));
    }

    private static bool IsOption(string token) => Bare(token).StartsWith("--", StringComparison.Ordinal);

    /// <summary>A token without the brackets that mark it optional.</summary>
    private static string Bare(string token) => token.Trim('[', ']');

    /// <summary>Shell words: whitespace separates, single and double quotes group.</summary>
    private static List<string> Tokens(string commandLine)
    {
        List<string> tokens = [];
        StringBuilder current = new();
        char quote = '\0';
        bool inWord = false;
        foreach (char c in commandLine)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    [GeneratedRegex(@"^\s*(?:[A-Z_]+=\S*\s+)*(?:sudo\s+-u\s+\S+\s+)?(?:\S*/)?onboard(?:\s+(?<rest>.*))?$")]
    private static partial Regex ProgramAtStart();

    [GeneratedRegex("`(?<code>[^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\s#\s")]
    private static partial Regex CommentStart();
}
