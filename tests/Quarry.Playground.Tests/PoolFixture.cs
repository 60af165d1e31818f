[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Quarry.Playground.Tests;

/// <summary>One pool shared by the attack suite, created after a fake secret is placed in the server's environment.</summary>
public sealed class PoolFixture : IAsyncLifetime
{
    public const string SecretName = "QUARRY_FAKE_SECRET";
    public const string SecretValue = "s3cr3t-7f1e9a0b42c6d";

    public SandboxPool Pool { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Environment.SetEnvironmentVariable(SecretName, SecretValue);
        Pool = new SandboxPool(new PlaygroundOptions { Limits = new SandboxLimits { Wall = TimeSpan.FromSeconds(3), Cpu = TimeSpan.FromSeconds(1) } });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await Pool.DisposeAsync();

    public Task<EvalResult> RunAsync(string code) => Pool.EvaluateAsync(code, TestContext.Current.CancellationToken);

    /// <summary>After an attack: the next run works as usual.</summary>
    public async Task AssertHealthyAsync()
    {
        var r = await RunAsync("print(1)");
        Assert.Equal("1\n", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }
}
