namespace Onboarding.Testing;

/// <summary>The repository the tests were built from, for tests of files it ships (scripts, units, samples).</summary>
public static class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "Onboarding.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Onboarding.sln above {AppContext.BaseDirectory}");
    }
}
