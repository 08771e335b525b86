namespace Onboarding.Engine.Bitmaps.Internal;

/// <summary>Per-thread scratch buffers for kernels whose result size is unknown until computed; results are copied out.</summary>
internal static class Scratch
{
    [ThreadStatic]
    private static ushort[]? t_values;

    [ThreadStatic]
    private static ushort[]? t_values2;

    [ThreadStatic]
    private static ushort[]? t_runs;

    [ThreadStatic]
    private static ulong[]? t_words;

    /// <summary>A buffer of 8192 ushorts (room for the union of two arrays).</summary>
    public static ushort[] Values => t_values ??= new ushort[2 * 4096];

    /// <summary>A second buffer of 8192 ushorts.</summary>
    public static ushort[] Values2 => t_values2 ??= new ushort[2 * 4096];

    /// <summary>A bitset that users must leave all-zero when they are done.</summary>
    public static ulong[] Words => t_words ??= new ulong[BitsetOps.Words];

    /// <summary>A buffer for 32768 (start, length-1) run pairs.</summary>
    public static ushort[] Runs => t_runs ??= new ushort[65536];
}
