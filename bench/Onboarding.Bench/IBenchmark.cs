namespace Onboarding.Bench;

/// <summary>A benchmark run by name from the command line; <c>--quick</c> selects small CI sizes.</summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args);
}
