using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Tests.Bitmaps;

public class BitsetOpsTests
{
    public static TheoryData<string> Bitsets => ["empty", "edges", "full", "sparse", "half", "dense", "full words"];

    /// <summary>Extract writes whole words at a time when the destination has room for 64 more; else bit by bit.</summary>
    [Theory]
    [MemberData(nameof(Bitsets))]
    public void Extract_WritesTheSetBitsInOrder_WithAndWithoutRoomToSpare(string name)
    {
        ulong[] words = Build(name);
        ushort[] expected = [.. Enumerable.Range(0, 65536).Where(v => (words[v >> 6] & (1UL << v)) != 0).Select(v => (ushort)v)];

        var exact = new ushort[expected.Length];
        Assert.Equal(expected.Length, BitsetOps.Extract(words, exact));
        Assert.Equal(expected, exact);

        // Room to spare: what lies past the count is scratch, but the count and the values before it are exact.
        var roomy = new ushort[expected.Length + 64];
        Assert.Equal(expected.Length, BitsetOps.Extract(words, roomy));
        Assert.Equal(expected, roomy[..expected.Length]);
    }

    private static ulong[] Build(string name)
    {
        var words = new ulong[BitsetOps.Words];
        var random = new Random(name.Length);
        switch (name)
        {
            case "edges":
                foreach (int v in (int[])[0, 1, 31, 32, 33, 63, 64, 127, 128, 4095, 4096, 65472, 65535])
                {
                    words[v >> 6] |= 1UL << v;
                }

                break;
            case "full":
                Array.Fill(words, ulong.MaxValue);
                break;
            case "full words":
                for (int i = 0; i + 1 < words.Length; i += 3)
                {
                    words[i] = ulong.MaxValue;
                    words[i + 1] = i % 2 == 0 ? 0x8000_0000_0000_0001UL : 0xFFFF_FFFF_0000_0000UL;
                }

                break;
            case "sparse" or "half" or "dense":
                double density = name == "sparse" ? 0.01 : name == "half" ? 0.5 : 0.99;
                for (int v = 0; v < 65536; v++)
                {
                    if (random.NextDouble() < density)
                    {
                        words[v >> 6] |= 1UL << v;
                    }
                }

                break;
        }

        return words;
    }
}
