using System.Globalization;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.CrashHost;

/// <summary>
/// <c>ids &lt;path&gt; &lt;ID type&gt; &lt;batch size&gt; &lt;max count&gt;</c>: opens the dictionary and adds
/// <see cref="SyntheticIds"/> from index Count on, in batches mixed with re-adds of earlier IDs; after each batch
/// calls Flush and prints "flushed N". Every ordinal handed out must equal the ID's index, else it prints
/// "mismatch ..." and exits with 3. Prints "opened N" first and "done N" when max count is reached.
/// </summary>
internal static class IdsMode
{
    public static int Run(string[] args)
    {
        if (args.Length != 4 || !IdTypes.TryParse(args[1], out IdType type))
        {
            Console.Error.WriteLine("usage: ids <dictionary path> <ID type> <batch size> <max count>");
            return 2;
        }

        int batchSize = int.Parse(args[2], CultureInfo.InvariantCulture);
        long maxCount = long.Parse(args[3], CultureInfo.InvariantCulture);
        int keyLength = IdTypes.ByteLength(type);
        using IdDictionary dictionary = IdDictionary.Open(args[0], type);
        Console.WriteLine($"opened {dictionary.Count}");
        var random = new Random(Environment.ProcessId);
        byte[] ids = new byte[batchSize * keyLength];
        uint[] ordinals = new uint[batchSize];
        long[] expected = new long[batchSize];
        while (dictionary.Count < maxCount)
        {
            long next = dictionary.Count;
            for (int j = 0; j < batchSize; j++)
            {
                // One in eight is an ID added before (or earlier in this batch); the others are new, in order.
                expected[j] = next > 0 && random.Next(8) == 0 ? random.NextInt64(next) : next++;
                SyntheticIds.Write(expected[j], ids.AsSpan(j * keyLength, keyLength));
            }

            dictionary.GetOrAdd(ids, ordinals);
            for (int j = 0; j < batchSize; j++)
            {
                if (ordinals[j] != expected[j])
                {
                    Console.WriteLine($"mismatch: ID {expected[j]} got ordinal {ordinals[j]}");
                    return 3;
                }
            }

            dictionary.Flush();
            Console.WriteLine($"flushed {dictionary.Count}");
        }

        Console.WriteLine($"done {dictionary.Count}");
        return 0;
    }
}
