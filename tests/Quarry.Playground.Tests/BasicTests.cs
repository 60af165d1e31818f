namespace Quarry.Playground.Tests;

public sealed class BasicTests(PoolFixture fixture) : IClassFixture<PoolFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrintWorks()
    {
        await fixture.Pool.EvaluateAsync("print(0)", Ct);
        var r = await fixture.Pool.EvaluateAsync("print(5)", Ct);
        Assert.Equal("5\n", r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.False(r.TimedOut);
        Assert.False(r.Truncated);
    }

    [Fact]
    public async Task ErrorsGoToStderrWithExitCode()
    {
        var r = await fixture.Pool.EvaluateAsync("print('a')\nraise ValueError('boom')", Ct);
        Assert.Equal("a\n", r.Stdout);
        Assert.Contains("ValueError: boom", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, r.ExitCode);

        var exit = await fixture.Pool.EvaluateAsync("import sys\nsys.stderr.write('e')\nsys.exit(3)", Ct);
        Assert.Equal("e", exit.Stderr);
        Assert.Equal(3, exit.ExitCode);
    }

    [Fact]
    public void CapabilitiesReportWhatWasFound()
    {
        var caps = SandboxProbe.Detect();
        Assert.True(caps.IsolationWorks, caps.ToString());
        Assert.True(caps.UserNamespace && caps.PidNamespace && caps.NetNamespace && caps.Seccomp && caps.Rlimits, caps.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine(caps.ToString());
    }
}
