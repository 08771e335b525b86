namespace Onboarding.Bench.Generators;

/// <summary>Random subsets of [0, universe) with every value equally likely to be in: segments at their worst for Roaring.</summary>
internal static class UniformSample
{
    /// <summary>A uniform random subset of [0, universe) of about <paramref name="members"/> values, sorted (geometric gaps).</summary>
    /// <returns>How many values were written to the start of <paramref name="buffer"/>.</returns>
    public static int Fill(Random random, uint universe, long members, uint[] buffer)
    {
        double p = (double)members / universe;
        double logQ = Math.Log(1 - p);
        long value = -1;
        int count = 0;
        while (count < buffer.Length)
        {
            value += 1 + (long)(Math.Log(1 - random.NextDouble()) / logQ);
            if (value >= universe)
            {
                break;
            }

            buffer[count++] = (uint)value;
        }

        return count;
    }

    /// <summary>A buffer large enough for a sample of about <paramref name="members"/> values.</summary>
    public static uint[] Buffer(long members) => new uint[checked((int)(members * 11 / 10) + 1024)];
}
