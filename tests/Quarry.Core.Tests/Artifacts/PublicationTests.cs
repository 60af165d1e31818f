using Quarry.Core.Artifacts;

namespace Quarry.Core.Tests.Artifacts;

public sealed class PublicationTests
{
    [Fact]
    public void Model_date_has_nine_fractional_digits_in_utc()
    {
        var publication = new Publication("1.2.3", "http://x/data.csv", 1_700_000_000_123_456_789);
        Assert.Equal("2023-11-14 22:13:20.123456789", publication.ModelDate);
    }

    [Fact]
    public void Format_and_parse_round_trip()
    {
        var publication = new Publication("0.4.0", "/data/playlists.csv", 1_795_341_690_553_060_800);
        Assert.Equal("0.4.0 /data/playlists.csv 1795341690553060800", publication.Format());
        Assert.Equal(publication, Publication.Parse(publication.Format() + "\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.0.0 http://x")]
    [InlineData("1.0.0 http://x 12 extra")]
    [InlineData("1.0.0 http://x yesterday")]
    [InlineData("1.0.0 http://x -5")]
    public void Malformed_checkpoints_are_invalid_data(string line) =>
        Assert.Throws<InvalidDataException>(() => Publication.Parse(line));

    [Fact]
    public void Unix_nanoseconds_follow_the_clock()
    {
        var time = new DateTimeOffset(2024, 2, 29, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var ns = Publication.ToUnixNanoseconds(time);
        Assert.Equal("2024-02-29 12:00:00.123456700", new Publication("1", "s", ns).ModelDate);
    }
}
