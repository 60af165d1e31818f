using Quarry.Core.Hosting;

namespace Quarry.Core.Tests.Hosting;

public sealed class QuarryInfoTests
{
    [Fact]
    public void Version_is_the_release_part_of_the_informational_version()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", QuarryInfo.Version);
        Assert.StartsWith(QuarryInfo.Version, QuarryInfo.InformationalVersion, StringComparison.Ordinal);
    }
}
