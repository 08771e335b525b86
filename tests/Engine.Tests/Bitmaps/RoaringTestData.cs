using System.Collections.Concurrent;
using Onboarding.Testing;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>The repository's copies of the small real datasets, loaded once per test run.</summary>
internal static class RoaringTestData
{
    private static readonly ConcurrentDictionary<string, Lazy<uint[][]>> Cache = new(StringComparer.Ordinal);

    public static string DatasetDirectory { get; } =
        Path.Combine(AppContext.BaseDirectory, "TestData", "roaring", "datasets");

    /// <summary>xunit member data: one row per small dataset name.</summary>
    public static TheoryData<string> SmallDatasetNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in RoaringDatasets.SmallNames)
            {
                data.Add(name);
            }

            return data;
        }
    }

    /// <summary>The 200 sorted arrays of a small dataset (shared: callers must not modify them).</summary>
    public static uint[][] Dataset(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<uint[][]>(() => RoaringDatasets.Load(DatasetDirectory, n))).Value;
}
