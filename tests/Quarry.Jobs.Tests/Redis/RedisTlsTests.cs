using Quarry.Jobs.Backends;
using Quarry.Jobs.Backends.Redis;
using Quarry.Jobs.Model;

namespace Quarry.Jobs.Tests.Redis;

/// <summary>A redis-server that speaks only TLS, with a certificate from a CA the test makes, and an ACL user instead of the default one.</summary>
public sealed class RedisTlsTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly JobBackendOptions _options = new() { Prefix = "tls" + Guid.NewGuid().ToString("N")[..8], LeaseDuration = TimeSpan.FromSeconds(2) };
    private readonly List<IAsyncDisposable> _owned = [];
    private RedisServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _server = await RedisServer.StartTlsAsync(_certificates, "--user", "default", "off", "--user", "quarry", "on", ">s3cret", "~*", "&*", "+@all",
            "--user", "narrow", "on", ">n4rrow", "~*", "resetchannels", "+@all");

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Jobs_run_over_TLS_as_an_ACL_user()
    {
        var backend = Backend($"rediss://quarry:s3cret@{_server.Host}:{_server.Port}", _certificates.CaCertificatePath);
        await backend.InitializeAsync(Ct);
        Assert.Null(await backend.CheckAsync(Ct));
        var job = new NewJob(Guid.NewGuid(), "range", "{\"start\":\"go!\",\"end\":\"stop!\"}");
        await backend.SubmitAsync([job], Ct);
        var lease = Assert.Single(await backend.TakeAsync("tls-worker", 4, TimeSpan.FromSeconds(5), Ct));
        await backend.ReportAsync([new JobOutcome(lease, OutcomeKind.Complete)], Ct);

        var record = await backend.GetAsync(job.Id, Ct);
        Assert.Equal((JobStatus.Complete, "tls-worker"), (record!.Status, record.Worker));
        Assert.Equal(1, (await backend.CountAsync(Ct))[JobStatus.Complete]);
    }

    [Fact]
    public async Task A_user_without_channel_permissions_still_submits_and_takes_by_polling()
    {
        var backend = Backend($"rediss://narrow:n4rrow@{_server.Host}:{_server.Port}", _certificates.CaCertificatePath);
        await backend.InitializeAsync(Ct);
        Assert.Empty(await backend.TakeAsync("narrow-worker", 1, TimeSpan.FromMilliseconds(50), Ct)); // raises the sleepers flag
        var job = new NewJob(Guid.NewGuid(), "noop", "{}");
        await backend.SubmitAsync([job], Ct);
        var lease = Assert.Single(await backend.TakeAsync("narrow-worker", 1, TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(job.Id, lease.Id);
    }

    [Fact]
    public async Task An_untrusted_certificate_a_wrong_password_or_plain_text_is_refused()
    {
        string?[][] attempts =
        [
            [$"rediss://quarry:s3cret@{_server.Host}:{_server.Port}", null],
            [$"rediss://quarry:wrong@{_server.Host}:{_server.Port}", _certificates.CaCertificatePath],
            [$"redis://quarry:s3cret@{_server.Host}:{_server.Port}", null],
        ];
        foreach (var attempt in attempts)
        {
            var backend = Backend(attempt[0]! + "", attempt[1]);
            await Assert.ThrowsAsync<JobBackendUnavailableException>(() => backend.InitializeAsync(Ct));
            Assert.NotNull(await backend.CheckAsync(Ct));
        }
    }

    private RedisJobBackend Backend(string connection, string? ca)
    {
        var parsed = RedisConnectionString.Parse(connection, ca);
        parsed.ConnectTimeout = 2000;
        var backend = new RedisJobBackend(parsed, _options);
        _owned.Add(backend);
        return backend;
    }
}
