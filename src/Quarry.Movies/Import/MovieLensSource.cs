using System.IO.Compression;

namespace Quarry.Movies.Import;

/// <summary>Finds which MovieLens layout a path holds (a directory, one of its files, or a .zip) and its files.</summary>
internal sealed record MovieLensSource(MovieLensLayout Layout, string Directory)
{
    public const string Accepted =
        "accepted layouts: ml-latest-small (movies.csv, ratings.csv) or ml-100k (u.item, u.data, u.genre), as a directory, one of its files, or a .zip holding either";

    private static readonly string[] s_latestFiles = ["movies.csv", "ratings.csv"];
    private static readonly string[] s_classicFiles = ["u.item", "u.data", "u.genre"];

    public string File(string name) => Path.Combine(Directory, name);

    /// <exception cref="FileNotFoundException">Nothing is at the path, no layout is recognised, or a file of the layout is missing.</exception>
    public static MovieLensSource Locate(string pathOrDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrDir);
        var full = Path.GetFullPath(pathOrDir);
        string directory;
        if (System.IO.File.Exists(full))
        {
            directory = full.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? Extract(full) : Path.GetDirectoryName(full)!;
        }
        else if (System.IO.Directory.Exists(full))
        {
            directory = full;
        }
        else
        {
            throw new FileNotFoundException($"{full} does not exist; {Accepted}.", full);
        }

        var found = Probe(directory) ?? ProbeSubdirectories(directory)
            ?? throw new FileNotFoundException($"No MovieLens files in {directory}; {Accepted}.", directory);
        var required = found.Layout == MovieLensLayout.Latest ? s_latestFiles : s_classicFiles;
        foreach (var name in required)
        {
            if (!System.IO.File.Exists(found.File(name)))
            {
                throw new FileNotFoundException(
                    $"{name} is missing in {found.Directory} (the {found.Layout} layout needs {string.Join(", ", required)}); {Accepted}.",
                    found.File(name));
            }
        }

        return found;
    }

    private static MovieLensSource? Probe(string directory)
    {
        if (s_latestFiles.Any(name => System.IO.File.Exists(Path.Combine(directory, name))))
        {
            return new MovieLensSource(MovieLensLayout.Latest, directory);
        }

        return s_classicFiles.Any(name => System.IO.File.Exists(Path.Combine(directory, name)))
            ? new MovieLensSource(MovieLensLayout.Classic100K, directory)
            : null;
    }

    // The published zips hold one top-level folder (ml-latest-small/, ml-100k/).
    private static MovieLensSource? ProbeSubdirectories(string directory)
    {
        var candidates = System.IO.Directory.GetDirectories(directory).Select(Probe).OfType<MovieLensSource>().ToList();
        return candidates.Count == 1 ? candidates[0] : null;
    }

    // Extracts next to the zip once; a complete earlier extraction is reused.
    private static string Extract(string zip)
    {
        var target = Path.Combine(Path.GetDirectoryName(zip)!, Path.GetFileNameWithoutExtension(zip));
        if (System.IO.Directory.Exists(target))
        {
            return target;
        }

        var partial = target + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            ZipFile.ExtractToDirectory(zip, partial);
            System.IO.Directory.Move(partial, target);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{zip} is not a readable zip archive: {e.Message}", e);
        }
        finally
        {
            if (System.IO.Directory.Exists(partial))
            {
                System.IO.Directory.Delete(partial, recursive: true);
            }
        }

        return target;
    }
}
