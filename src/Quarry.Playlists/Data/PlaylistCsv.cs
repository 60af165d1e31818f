using Quarry.Core.Datasets;

namespace Quarry.Playlists.Data;

/// <summary>Reads playlist CSV files (Spotify-style or generated) into <see cref="PlaylistData"/>.</summary>
public static class PlaylistCsv
{
    /// <summary>Header of the column that identifies a playlist.</summary>
    public const string PidColumn = "pid";

    /// <summary>Header of the column that names a song.</summary>
    public const string TrackColumn = "track_name";

    private const int ProgressEvery = 100_000;
    private const int CancelCheckEvery = 4_096;

    /// <summary>Reads one CSV file, or every <c>*.csv</c> in a directory in name order.</summary>
    /// <param name="path">A file or a directory.</param>
    /// <param name="progress">Receives the number of data rows read so far, now and then and at the end.</param>
    /// <param name="ct">Checked between rows.</param>
    /// <exception cref="InvalidDataException">A column is missing or a row is malformed; the message names the file and line.</exception>
    public static PlaylistData Read(string path, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new Builder();
        foreach (var file in FilesOf(path))
        {
            using var reader = CsvReader.Open(file);
            builder.Add(reader, file, progress, ct);
        }

        progress?.Report(builder.Rows);
        return builder.Build();
    }

    /// <summary>Reads CSV text (one file's content) from <paramref name="text"/>.</summary>
    public static PlaylistData Read(TextReader text, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new Builder();
        using (var reader = new CsvReader(text, leaveOpen: true))
        {
            builder.Add(reader, "input", progress, ct);
        }

        progress?.Report(builder.Rows);
        return builder.Build();
    }

    private static IEnumerable<string> FilesOf(string path)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path, "*.csv", SearchOption.TopDirectoryOnly);
            if (files.Length == 0)
            {
                throw new FileNotFoundException($"The directory '{path}' holds no *.csv files.", path);
            }

            Array.Sort(files, StringComparer.Ordinal);
            return files;
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The playlist CSV '{path}' does not exist.", path);
        }

        return [path];
    }

    /// <summary>Accumulates playlists across files; rows of one pid may be anywhere.</summary>
    private sealed class Builder
    {
        private readonly Dictionary<string, int> _songIds = new(StringComparer.Ordinal);
        private readonly List<string> _songs = [];
        private readonly Dictionary<string, int> _playlistIds = new(StringComparer.Ordinal);
        private readonly List<List<int>> _playlists = [];

        public long Rows { get; private set; }

        public void Add(CsvReader reader, string source, IProgress<long>? progress, CancellationToken ct)
        {
            var fields = new List<string>();
            if (!reader.TryReadRow(fields))
            {
                return;
            }

            var columns = fields.Count;
            var pid = ColumnIndex(fields, PidColumn, source);
            var track = ColumnIndex(fields, TrackColumn, source);
            while (reader.TryReadRow(fields))
            {
                if (++Rows % CancelCheckEvery == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                if (Rows % ProgressEvery == 0)
                {
                    progress?.Report(Rows);
                }

                if (fields.Count < columns)
                {
                    throw new InvalidDataException(
                        $"{source} line {reader.Line}: {fields.Count} fields where the header has {columns}.");
                }

                AddRow(fields[pid].Trim(), fields[track].Trim(), source, reader.Line);
            }
        }

        public PlaylistData Build()
        {
            var playlists = new List<int[]>(_playlists.Count);
            foreach (var songs in _playlists)
            {
                // Playlists whose tracks all lacked a name carry nothing to learn from.
                if (songs.Count == 0)
                {
                    continue;
                }

                songs.Sort();
                var distinct = new int[songs.Count];
                var n = 0;
                foreach (var song in songs)
                {
                    if (n == 0 || distinct[n - 1] != song)
                    {
                        distinct[n++] = song;
                    }
                }

                playlists.Add(distinct[..n]);
            }

            return new PlaylistData([.. _songs], [.. playlists]) { Rows = Rows };
        }

        private void AddRow(string pid, string track, string source, long line)
        {
            if (pid.Length == 0)
            {
                throw new InvalidDataException($"{source} line {line}: the {PidColumn} field is empty.");
            }

            if (!_playlistIds.TryGetValue(pid, out var playlist))
            {
                playlist = _playlists.Count;
                _playlistIds.Add(pid, playlist);
                _playlists.Add([]);
            }

            if (track.Length == 0)
            {
                return;
            }

            if (!_songIds.TryGetValue(track, out var song))
            {
                song = _songs.Count;
                _songIds.Add(track, song);
                _songs.Add(track);
            }

            _playlists[playlist].Add(song);
        }

        private static int ColumnIndex(List<string> header, string name, string source)
        {
            for (var i = 0; i < header.Count; i++)
            {
                if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            throw new InvalidDataException(
                $"{source}: the column '{name}' is missing; the header has: {string.Join(", ", header.Select(h => h.Trim()))}. " +
                $"Playlist CSVs need '{PidColumn}' and '{TrackColumn}' columns.");
        }
    }
}
