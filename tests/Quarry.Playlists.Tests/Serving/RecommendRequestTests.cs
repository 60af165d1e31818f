using System.Text;
using Quarry.Playlists.Serving;

namespace Quarry.Playlists.Tests.Serving;

public sealed class RecommendRequestTests
{
    private static (RecommendRequest Request, string? Error) Parse(string body)
    {
        var request = RecommendRequest.Parse(Encoding.UTF8.GetBytes(body), out var error);
        return (request, error);
    }

    [Fact]
    public void Reads_songs_and_limit_and_ignores_other_properties()
    {
        var (request, error) = Parse("""{"other": {"x": [1, 2]}, "songs": ["a", "b, \"c\""], "limit": 3}""");
        Assert.Null(error);
        Assert.Equal(["a", "b, \"c\""], request.Songs);
        Assert.Equal(3, request.Limit);
    }

    [Fact]
    public void Limit_defaults_to_ten() => Assert.Equal(10, Parse("""{"songs": []}""").Request.Limit);

    [Theory]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[\"a\"]", "JSON object")]
    [InlineData("{}", "no 'songs'")]
    [InlineData("{\"songs\": \"a\"}", "must be a list")]
    [InlineData("{\"songs\": null}", "must be a list")]
    [InlineData("{\"songs\": [\"a\", 2]}", "songs[1] must be a string")]
    [InlineData("{\"songs\": [[\"a\"]]}", "songs[0] must be a string")]
    [InlineData("{\"songs\": [], \"limit\": 0}", "'limit'")]
    [InlineData("{\"songs\": [], \"limit\": 1.5}", "'limit'")]
    [InlineData("{\"songs\": [], \"limit\": \"3\"}", "'limit'")]
    [InlineData("{\"songs\": [], \"limit\": 101}", "'limit'")]
    [InlineData("{\"songs\": [\"a\"]", "not valid JSON")]
    [InlineData("{\"songs\": [\"a\"]} trailing", "not valid JSON")]
    public void Refuses_malformed_bodies_with_a_reason(string body, string reason)
    {
        var (_, error) = Parse(body);
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_too_many_songs_and_too_long_names()
    {
        var many = "{\"songs\": [" + string.Join(",", Enumerable.Range(0, RecommendRequest.MaxSongs + 1).Select(i => $"\"s{i}\"")) + "]}";
        Assert.Contains("At most", Parse(many).Error, StringComparison.Ordinal);
        var longName = "{\"songs\": [\"" + new string('x', RecommendRequest.MaxSongLength + 1) + "\"]}";
        Assert.Contains("longer than", Parse(longName).Error, StringComparison.Ordinal);
        var deep = new string('[', 100) + new string(']', 100);
        Assert.NotNull(Parse("{\"x\": " + deep + ", \"songs\": []}").Error);
    }
}
