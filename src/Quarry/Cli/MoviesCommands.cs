using System.CommandLine;
using Quarry.Core.Datasets;
using Quarry.Movies;
using Quarry.Movies.Data;
using Quarry.Movies.Import;
using Quarry.Movies.Synthetic;
using Quarry.Movies.Training;

namespace Quarry.Cli;

/// <summary>The movie commands: <c>import movielens</c>, <c>train movies</c>, <c>eval movies</c>, <c>datasets make movies</c>.</summary>
internal static class MoviesCommands
{
    public static Command Import()
    {
        var source = new Argument<string>("source") { Description = "A MovieLens directory, file or .zip (ml-latest-small or ml-100k layout), or an http(s) URL of one." };
        var dataDir = CommonOptions.DataDir();
        var movielens = new Command("movielens", "Import a MovieLens catalog and its ratings into the movie store (Quarry__Movies__Store).") { source, dataDir };
        movielens.SetAction((parse, ct) => CliHost.RunAsync(async () =>
        {
            await using var services = CliHost.Services(s => s.AddMovieStore().AddDatasetFetcher(), parse.GetValue(dataDir));
            var store = services.GetRequiredService<IMovieStore>();
            await store.InitializeAsync(ct);
            var path = parse.GetValue(source)!;
            if (Uri.TryCreate(path, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                var server = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Hosting.ServerOptions>>().Value;
                path = await services.GetRequiredService<Core.Datasets.DatasetFetcher>().FetchAsync(path, server.DataDir, null, false, ct);
            }

            var last = 0L;
            var result = await MovieLensImporter.ImportAsync(path, store, new Progress<ImportProgress>(p =>
            {
                if (p.Ratings - last >= 200_000 || p.BytesRead == p.BytesTotal)
                {
                    last = p.Ratings;
                    Console.Error.WriteLine($"[import] {Path.GetFileName(p.File)} {p.BytesRead * 100.0 / Math.Max(1, p.BytesTotal):F0}% · {p.Movies:N0} movies · {p.Ratings:N0} ratings");
                }
            }), ct);
            Console.WriteLine($"Imported {result.Movies:N0} movies and {result.Ratings:N0} ratings ({result.Layout} layout) into the {store.Name} store.");
            return 0;
        }));
        return new Command("import", "Import datasets into the stores.") { movielens };
    }

    public static Command Train()
    {
        var dataDir = CommonOptions.DataDir();
        var model = new Option<string>("--model") { Description = "ease, knn, or auto (EASE up to 20,000 movies, kNN beyond).", DefaultValueFactory = _ => "auto" };
        var lambda = new Option<float>("--lambda") { Description = "EASE regularisation.", DefaultValueFactory = _ => Learn.Recommenders.EaseOptions.Recommended.Lambda };
        var neighbours = new Option<int>("--neighbours") { Description = "kNN neighbours per movie.", DefaultValueFactory = _ => 100 };
        var command = new Command("movies", "Learn the movie model from every preference in the store and publish it; servers swap it in live.")
        {
            dataDir, model, lambda, neighbours,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(async () =>
        {
            await using var services = CliHost.Services(s => s.AddMovieStore(), parse.GetValue(dataDir));
            var store = services.GetRequiredService<IMovieStore>();
            await store.InitializeAsync(ct);
            var server = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Hosting.ServerOptions>>().Value;
            var result = await services.GetRequiredService<MovieTrainer>().TrainAsync(new MovieTrainingOptions
            {
                DataDir = Path.GetFullPath(server.DataDir),
                Model = parse.GetValue(model)!,
                Ease = Learn.Recommenders.EaseOptions.Recommended with { Lambda = parse.GetValue(lambda) },
                Neighbours = parse.GetValue(neighbours),
            }, new Progress<(string Stage, double? Fraction)>(p => Console.Error.Write($"\r[{p.Stage}] {(p.Fraction is { } f ? $"{f:P0}" : "")}   ")), ct);
            Console.Error.WriteLine();
            Console.WriteLine($"Published {result.Info.Kind} model v{result.Publication.Version} from {result.Publication.ModelDate}: " +
                              $"{result.Movies:N0} movies, {result.Info.Users:N0} users, {result.Info.Preferences:N0} likes in {result.Elapsed.TotalSeconds:F1} s.");
            return 0;
        }));
        return command;
    }

    public static Command Eval()
    {
        var dataset = new Option<string>("--dataset") { Description = "MovieLens directory, file or .zip to evaluate on.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the held-out split.", DefaultValueFactory = _ => 42 };
        var lambda = new Option<float>("--lambda") { Description = "EASE regularisation.", DefaultValueFactory = _ => Learn.Recommenders.EaseOptions.Recommended.Lambda };
        var neighbours = new Option<int>("--neighbours") { Description = "kNN neighbours per movie.", DefaultValueFactory = _ => 100 };
        var movies = new Command("movies", "Offline quality on a held-out split (protocol in docs/recommenders.md): Recall@20, NDCG@10, Precision@10 for MostPop, ItemKNN and EASE.")
        {
            dataset, seed, lambda, neighbours,
        };
        movies.SetAction((parse, ct) => CliHost.RunAsync(async () =>
        {
            var report = await MovieEvaluation.RunAsync(parse.GetValue(dataset)!, parse.GetValue(seed), parse.GetValue(lambda), parse.GetValue(neighbours),
                new Progress<string>(s => Console.Error.WriteLine($"[eval] {s}")), ct);
            Console.WriteLine($"{report.Ratings:N0} ratings, {report.Users:N0} users, {report.Items:N0} movies; {report.UsersEvaluated:N0} users evaluated (seed {parse.GetValue(seed)})");
            Console.WriteLine("| model | Recall@20 | NDCG@10 | Precision@10 | train s |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var m in report.Models)
            {
                Console.WriteLine($"| {m.Model} | {m.Quality.RecallAt20:F4} | {m.Quality.NdcgAt10:F4} | {m.Quality.PrecisionAt10:F4} | {m.TrainTime.TotalSeconds:F2} |");
            }

            return 0;
        }));
        return new Command("eval", "Offline evaluation of models.") { movies, DiabetesCommands.Eval() };
    }

    public static Command MakeMovies()
    {
        var defaults = new SyntheticMovieOptions();
        var output = new Option<string>("--out", "-o") { Description = "Directory to write movies.csv and ratings.csv (ml-latest-small layout).", DefaultValueFactory = _ => "movies" };
        var users = new Option<int>("--users") { Description = "Number of users.", DefaultValueFactory = _ => defaults.Users };
        var count = new Option<int>("--movies") { Description = "Number of movies.", DefaultValueFactory = _ => defaults.Movies };
        var perUser = new Option<double>("--ratings-per-user") { Description = "Average ratings per user.", DefaultValueFactory = _ => defaults.RatingsPerUser };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same files.", DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("movies", "A MovieLens-layout dataset with latent taste structure (a collaborative model beats popularity on it).")
        {
            output, users, count, perUser, seed,
        };
        command.SetAction((parse, ct) => CliHost.RunAsync(async () =>
        {
            var dir = Path.GetFullPath(parse.GetValue(output)!);
            var options = defaults with { Users = parse.GetValue(users), Movies = parse.GetValue(count), RatingsPerUser = parse.GetValue(perUser), Seed = parse.GetValue(seed) };
            await SyntheticMovieLens.WriteAsync(dir, options, ct);
            Console.WriteLine($"Wrote {options.Users:N0} users × {options.Movies:N0} movies (~{options.RatingsPerUser} ratings each) to {dir}");
            return 0;
        }));
        return command;
    }
}
