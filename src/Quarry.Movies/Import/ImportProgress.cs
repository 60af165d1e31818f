namespace Quarry.Movies.Import;

/// <summary>Import progress: the file being read, how far into it, and what has been stored so far.</summary>
public sealed record ImportProgress(string File, long BytesRead, long BytesTotal, int Movies, long Ratings);

/// <summary>The MovieLens file layouts the importer reads.</summary>
public enum MovieLensLayout
{
    /// <summary>ml-latest / ml-latest-small: <c>movies.csv</c> and <c>ratings.csv</c>.</summary>
    Latest,

    /// <summary>The classic ml-100k: <c>u.item</c>, <c>u.data</c> and <c>u.genre</c>.</summary>
    Classic100K,
}

/// <summary>What an import stored: the layout found, the directory read, and the numbers of movies and ratings.</summary>
public sealed record MovieLensImportResult(MovieLensLayout Layout, string Directory, int Movies, long Ratings);
