// Benchmark harness: each suite measures one capability against a baseline in the same run.
// Usage: dotnet run -c Release --project bench/Quarry.Bench -- <suite> [options]
var suites = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase);
suites["fimi"] = Quarry.Bench.Fimi.FimiSuite.RunAsync;
suites["jobs"] = Quarry.Bench.Jobs.JobsSuite.RunAsync;
suites["ease"] = Quarry.Bench.Movies.EaseSuite.RunAsync;
suites["rate"] = Quarry.Bench.Load.RateSuite.RunAsync;
suites["diabetes"] = Quarry.Bench.Diabetes.DiabetesSuite.RunAsync;
suites["playground"] = Quarry.Bench.Playground.PlaygroundSuite.RunAsync;
suites["config"] = Quarry.Bench.Classification.ConfigSuite.RunAsync;

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine("usage: Quarry.Bench <suite> [options]; suites: " + string.Join(", ", suites.Keys.Order()));
    return 2;
}

return await run(args[1..]);
