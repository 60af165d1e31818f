namespace Quarry.Playlists.Data;

/// <summary>Playlists as sets of song ids; <see cref="Songs"/>[id] is the song's name.</summary>
/// <param name="Songs">Song names, indexed by song id.</param>
/// <param name="Playlists">Each playlist's distinct song ids, ascending.</param>
public sealed record PlaylistData(string[] Songs, int[][] Playlists)
{
    /// <summary>CSV rows read to build this data (0 when it was built in memory).</summary>
    public long Rows { get; init; }

    /// <summary>Counts that describe the data set.</summary>
    public PlaylistStats Stats
    {
        get
        {
            long items = 0;
            foreach (var playlist in Playlists)
            {
                items += playlist.Length;
            }

            return new PlaylistStats(Playlists.Length, Songs.Length, Rows, items);
        }
    }
}

/// <summary>Size of a playlist data set: playlists, distinct songs, CSV rows and (playlist, song) pairs.</summary>
public readonly record struct PlaylistStats(int Playlists, int Songs, long Rows, long Items)
{
    /// <summary>Mean number of distinct songs per playlist.</summary>
    public double MeanLength => Playlists == 0 ? 0 : (double)Items / Playlists;
}
