using System.Text.Json;

namespace Quarry.Playlists.Serving;

/// <summary>A parsed <c>POST /api/recommend</c> body, or the reason it was refused.</summary>
internal sealed record RecommendRequest(IReadOnlyList<string> Songs, int Limit)
{
    public const int MaxSongs = 1000;
    public const int MaxSongLength = 1024;
    public const int MaxLimit = 100;
    public const int DefaultLimit = 10;

    /// <summary>The body a client should send, for messages.</summary>
    private const string Expected = "{\"songs\": [\"...\"]}";

    /// <summary>Parses <c>{"songs":[...],"limit":n}</c>; other properties are ignored.</summary>
    public static RecommendRequest Parse(ReadOnlySpan<byte> body, out string? error)
    {
        error = Core.Hosting.JsonRequest.OpeningProblem(body, Expected);
        if (error is not null)
        {
            return Empty;
        }

        try
        {
            var reader = new Utf8JsonReader(body, Core.Hosting.JsonRequest.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = $"The body must be a JSON object {Expected}.";
                return Empty;
            }

            List<string>? songs = null;
            var limit = DefaultLimit;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("songs"u8))
                {
                    songs = ReadSongs(ref reader, out error);
                }
                else if (reader.ValueTextEquals("limit"u8))
                {
                    limit = ReadLimit(ref reader, out error);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }

                if (error is not null)
                {
                    return Empty;
                }
            }

            while (reader.Read())
            {
                // Reading to the end makes trailing garbage after the object an error.
            }

            if (songs is null)
            {
                error = "The body has no 'songs' property; send {\"songs\": [\"...\"]}.";
                return Empty;
            }

            return new RecommendRequest(songs, limit);
        }
        catch (JsonException e)
        {
            error = $"The body is not valid JSON: {e.Message}";
            return Empty;
        }
        catch (InvalidOperationException)
        {
            // A string escaping a lone UTF-16 surrogate is valid JSON but no .NET string.
            error = "A song name is not valid Unicode text (it escapes a lone surrogate).";
            return Empty;
        }
    }

    private static RecommendRequest Empty { get; } = new([], DefaultLimit);

    private static List<string>? ReadSongs(ref Utf8JsonReader reader, out string? error)
    {
        error = null;
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = $"'songs' must be a list of song names, not {Describe(reader.TokenType)}.";
            return null;
        }

        var songs = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                error = $"songs[{songs.Count}] must be a string, not {Describe(reader.TokenType)}.";
                return null;
            }

            if (songs.Count == MaxSongs)
            {
                error = $"At most {MaxSongs} songs can be sent at once.";
                return null;
            }

            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (length > MaxSongLength * 6)
            {
                error = $"songs[{songs.Count}] is longer than {MaxSongLength} characters.";
                return null;
            }

            var song = reader.GetString()!;
            if (song.Length > MaxSongLength)
            {
                error = $"songs[{songs.Count}] is longer than {MaxSongLength} characters.";
                return null;
            }

            songs.Add(song);
        }

        return songs;
    }

    private static int ReadLimit(ref Utf8JsonReader reader, out string? error)
    {
        error = null;
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var limit) || limit < 1 || limit > MaxLimit)
        {
            error = $"'limit' must be a whole number from 1 to {MaxLimit}.";
            return DefaultLimit;
        }

        return limit;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
