using System.Globalization;

namespace Onboarding.Bench;

/// <summary>Reading <c>--name value</c> options from a benchmark's arguments.</summary>
internal static class BenchArguments
{
    public static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static long Number(string[] args, string name, long fallback) =>
        Option(args, name) is string value ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
