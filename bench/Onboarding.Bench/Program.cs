using Onboarding.Bench;

// Each benchmark is a class implementing IBenchmark, listed here. Run with:
//   dotnet run -c Release --project bench/Onboarding.Bench -- <name> [--quick] [options]
IBenchmark[] benchmarks =
[
    new AudiencePreviewBenchmark(),
    new AudienceProcessingBenchmark(),
    new ExportBenchmark(),
    new FuzzBenchmark(),
    new IdDictionaryBenchmark(),
    new IngestBenchmark(),
    new LoadBenchmark(),
    new ParserBenchmark(),
    new RoaringBenchmark(),
];

if (args.Length == 0 || benchmarks.All(b => b.Name != args[0]))
{
    Console.Error.WriteLine("usage: Onboarding.Bench <benchmark> [--quick] [options]");
    foreach (IBenchmark b in benchmarks)
    {
        Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    }

    return args.Length == 0 ? 0 : 2;
}

return await benchmarks.Single(b => b.Name == args[0]).RunAsync(args[1..]);
