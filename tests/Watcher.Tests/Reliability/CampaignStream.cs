using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Onboarding.Watcher.Tests.Reliability;

/// <summary>A set of IDs reduced to its size and the sum of the IDs' first 8 bytes: equal sets, equal prints.</summary>
internal readonly record struct SetPrint(long Count, ulong Sum)
{
    public static SetPrint Of(IEnumerable<string> ids)
    {
        long count = 0;
        ulong sum = 0;
        foreach (string id in ids)
        {
            count++;
            sum += ulong.Parse(id.AsSpan(0, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return new SetPrint(count, sum);
    }
}

/// <summary>One onboarding file of the campaign's stream: where it is dropped and what it holds.</summary>
internal sealed record StreamFile(int Index, string Name, bool Full, string Text)
{
    public string Hash { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
}

/// <summary>
/// One client's input to the campaign and its reference model: a seed file, then a stream of delta files with one
/// full refresh of the Tier segments in the middle, and for every prefix of the stream the print of each segment and
/// audience as the rows say they must be (applied row by row here, independently of the engine). Each client's stream
/// is its own (the random rows depend on the client's name), its file names carry the client.
/// </summary>
internal sealed class CampaignStream
{
    public const int People = 30_000;
    public static readonly string[] Segments = ["Tier=Gold", "Tier=Silver", "Tier=Bronze", "Interest=Golf", "Interest=Tennis"];

    /// <summary>The active audiences and how the model computes them from the segments.</summary>
    public static readonly (string Name, string Expression, Func<Dictionary<string, HashSet<int>>, IEnumerable<int>> Members)[] Audiences =
    [
        ("Gold or Silver", "\"Tier=Gold\" OR \"Tier=Silver\"", s => s["Tier=Gold"].Union(s["Tier=Silver"])),
        ("Golf not Bronze", "\"Interest=Golf\" AND NOT \"Tier=Bronze\"", s => s["Interest=Golf"].Except(s["Tier=Bronze"])),
        ("Gold tennis", "\"Tier=Gold\" AND \"Interest=Tennis\"", s => s["Tier=Gold"].Intersect(s["Interest=Tennis"])),
    ];

    private static readonly string[] Ids = [.. Enumerable.Range(0, People).Select(n => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"campaign{n}"))))];

    public CampaignStream(string client, int files)
    {
        var random = new Random(20261123 ^ BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(client))));
        var state = Segments.ToDictionary(s => s, _ => new HashSet<int>());
        Seed = new StreamFile(-1, $"HEMSHA2_{client}_seed.csv", Full: false, SeedText(random, state));
        Record(state);
        int fullAt = files / 2;
        for (int i = 0; i < files; i++)
        {
            bool full = i == fullAt;
            string name = string.Create(CultureInfo.InvariantCulture, $"HEMSHA2_{client}_2026{i / 28 + 1:00}{i % 28 + 1:00}_{i:000}.csv");
            Files.Add(new StreamFile(i, name, full, full ? RefreshText(random, state) : DeltaText(random, state)));
            Record(state);
        }

        FinalAudiences = [.. Audiences.Select(a => new HashSet<string>(a.Members(state).Select(Id), StringComparer.Ordinal))];
        for (int k = 1; k < SegmentPrints.Count; k++)
        {
            Assert.False(SegmentPrints[k].SequenceEqual(SegmentPrints[k - 1]), $"the stream's file {k - 1} changes no segment");
        }
    }

    public StreamFile Seed { get; }

    public List<StreamFile> Files { get; } = [];

    /// <summary>[k][segment]: the segment after the seed and the first k files of the stream.</summary>
    public List<SetPrint[]> SegmentPrints { get; } = [];

    /// <summary>[k][audience]: the audience evaluated on the segments after the first k files.</summary>
    public List<SetPrint[]> AudiencePrints { get; } = [];

    /// <summary>The final members of each audience (IDs), to compare the last delivered files with.</summary>
    public IReadOnlyList<HashSet<string>> FinalAudiences { get; }

    public static string Id(int person) => Ids[person];

    private void Record(Dictionary<string, HashSet<int>> state)
    {
        SegmentPrints.Add([.. Segments.Select(s => SetPrint.Of(state[s].Select(Id)))]);
        AudiencePrints.Add([.. Audiences.Select(a => SetPrint.Of(a.Members(state).Select(Id)))]);
    }

    /// <summary>Everyone gets a tier, about half an interest.</summary>
    private static string SeedText(Random random, Dictionary<string, HashSet<int>> state)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int person = 0; person < People; person++)
        {
            Add(text, state, person, Segments[random.Next(3)]);
            if (random.Next(2) == 0)
            {
                Add(text, state, person, Segments[3 + random.Next(2)]);
            }
        }

        return text.ToString();
    }

    /// <summary>Tier moves (removed from one tier, added to another in the same row), new interests and lost ones.</summary>
    private static string DeltaText(Random random, Dictionary<string, HashSet<int>> state)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int row = 0; row < 4_000; row++)
        {
            int person = random.Next(People);
            string segment = Segments[random.Next(Segments.Length)];
            if (random.Next(4) == 0 && state[segment].Contains(person))
            {
                text.Append("HEMSHA2,").Append(Id(person)).Append(",,").Append(segment).Append('\n');
                state[segment].Remove(person);
            }
            else
            {
                Add(text, state, person, segment);
            }
        }

        return text.ToString();
    }

    /// <summary>A full refresh of the three tiers: 90% of each kept, a few hundred newcomers each.</summary>
    private static string RefreshText(Random random, Dictionary<string, HashSet<int>> state)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        foreach (string tier in Segments[..3])
        {
            var members = new HashSet<int>(state[tier].Where(_ => random.Next(10) != 0));
            for (int n = 0; n < 300; n++)
            {
                members.Add(random.Next(People));
            }

            state[tier] = [];
            foreach (int person in members.Order())
            {
                Add(text, state, person, tier);
            }
        }

        return text.ToString();
    }

    private static void Add(StringBuilder text, Dictionary<string, HashSet<int>> state, int person, string segment)
    {
        text.Append("HEMSHA2,").Append(Id(person)).Append(',').Append(segment).Append(",\n");
        state[segment].Add(person);
    }
}
