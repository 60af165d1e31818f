using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Quarry.Learn.Recommenders;

namespace Quarry.Bench.Movies;

/// <summary>
/// The `ease` suite: the offline protocol on MovieLens for MostPop, item-kNN and EASE (regularisation chosen on a
/// validation split carved from the training data), with training time, peak memory and scoring latency.
/// </summary>
internal static class EaseSuite
{
    public static Task<int> RunAsync(string[] args)
    {
        var options = EaseBenchOptions.Parse(args);
        if (!File.Exists(Path.Combine(options.DataDirectory, "ratings.csv")))
        {
            Console.Error.WriteLine($"ratings.csv not found in {options.DataDirectory} (pass --data DIR)");
            return Task.FromResult(2);
        }

        PrintMachine(options);
        var (ratings, users, items) = Quarry.Movies.Training.MovieEvaluation.Load(options.DataDirectory);
        var data = new MovieLens(ratings, users, items);
        var split = HoldoutSplit.Create(data.Ratings, data.Users, data.Items, options.Seed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data: {data.Ratings.Count:N0} ratings, {data.Users} users, {data.Items:N0} movies (those in ratings.csv); positives in train {split.Train.Count:N0}, users evaluated {split.HeldOut.Count}, held-out items {split.HeldOut.Values.Sum(v => v.Length):N0}"));
        Console.WriteLine();

        var chosen = Validation.Choose(split.Train, options);
        Console.WriteLine();
        if (options.ValidationOnly)
        {
            return Task.FromResult(0);
        }

        Console.WriteLine($"test split (seed {options.Seed}):");
        Console.WriteLine("| model | settings | Recall@20 | NDCG@10 | P@10 | train (s) | peak RSS in training (MB) | score+top-20 p50 / p99 (µs) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var results = new List<RankingQuality>();
        results.Add(Measure("MostPop", "-", split, () => new MostPopular(split.Train)));
        results.Add(Measure("ItemKNN", $"k={chosen.Neighbours}, shrink={chosen.Shrink}", split, () => ItemKnnModel.Train(split.Train, chosen.Neighbours, chosen.Shrink)));
        results.Add(Measure("EASE, plain", $"λ={chosen.PlainLambda}", split, () => EaseModel.Train(split.Train, chosen.PlainLambda)));
        results.Add(Measure("EASE, chosen", Validation.Describe(chosen.Ease), split, () => EaseModel.Train(split.Train, chosen.Ease)));
        var best = results[^1];
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"targets NDCG@10 ≥ 0.27 and Recall@20 ≥ 0.31 with the validation-chosen model: {(best.NdcgAt10 >= 0.27 && best.RecallAt20 >= 0.31 ? "MET" : "NOT MET")} ({best.NdcgAt10:F4} / {best.RecallAt20:F4})"));
        Console.WriteLine();

        GramTiming(split.Train);
        if (!options.SkipGemm)
        {
            GemmBench.Run(options.GemmSize);
            GemmBench.Inverse(options.InverseSize);
        }

        return Task.FromResult(0);
    }

    private static RankingQuality Measure(string name, string settings, HoldoutSplit split, Func<IRecommender> train)
    {
        var baseline = ResetPeak();
        var clock = Stopwatch.StartNew();
        var model = train();
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = PeakKilobytes();
        var quality = Evaluator.Evaluate(model, split);
        var (p50, p99) = Latency(model, split.Train);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {settings} | {quality.RecallAt20:F4} | {quality.NdcgAt10:F4} | {quality.PrecisionAt10:F4} | {seconds:F2} | {peak / 1024.0:F0} (from {baseline / 1024.0:F0}) | {p50:F1} / {p99:F1} |"));
        return quality;
    }

    /// <summary>Score and top-20 for 10-movie histories drawn from training users, single-threaded, 10k requests after a warm-up.</summary>
    private static (double P50, double P99) Latency(IRecommender model, InteractionMatrix train)
    {
        var random = new Random(7);
        var eligible = Enumerable.Range(0, train.Users).Where(u => train.ItemsOf(u).Length >= 10).ToArray();
        var scores = new float[model.Items];
        var history = new int[10];
        var samples = new double[10_000];
        for (var request = -1_000; request < samples.Length; request++)
        {
            var items = train.ItemsOf(eligible[random.Next(eligible.Length)]);
            for (var i = 0; i < history.Length; i++)
            {
                history[i] = items[random.Next(items.Length)];
            }

            var start = Stopwatch.GetTimestamp();
            model.Score(history, scores);
            _ = TopK.Select(scores, 20, history);
            if (request >= 0)
            {
                samples[request] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }

        Array.Sort(samples);
        return (samples[samples.Length / 2], samples[(int)(samples.Length * 0.99)]);
    }

    private static void GramTiming(InteractionMatrix train)
    {
        Console.WriteLine($"| Gram matrix XᵀX ({train.Users} users × {train.Items:N0} items, {train.Count:N0} positives) | time (s) |");
        Console.WriteLine("|---|---:|");
        foreach (var (name, build) in new (string, Func<float[]>)[] { ("sparse accumulation", () => ItemGram.Sparse(train)), ("dense SGEMM", () => ItemGram.Dense(train)) })
        {
            var clock = Stopwatch.StartNew();
            _ = build();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {clock.Elapsed.TotalSeconds:F2} |"));
        }

        Console.WriteLine();
    }

    /// <summary>Collects garbage and resets VmHWM to the current RSS (Linux clear_refs 5); returns the RSS it started from in KB.</summary>
    private static long ResetPeak()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without clear_refs the peak covers the whole process so far.
        }

        return StatusKilobytes("VmRSS:");
    }

    private static long PeakKilobytes() => StatusKilobytes("VmHWM:");

    private static long StatusKilobytes(string key)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static void PrintMachine(EaseBenchOptions options)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {cpu ?? "unknown CPU"}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}; load average {load}");
        Console.WriteLine($"data: {Path.GetFullPath(options.DataDirectory)}; seed {options.Seed}");
        Console.WriteLine();
    }
}
