using Npgsql;
using Quarry.Jobs.Backends.RabbitMq;
using Quarry.Jobs.Model;
using Quarry.TestSupport;

namespace Quarry.Jobs.Tests.RabbitMq;

/// <summary>
/// The statements that address jobs by id look the ids up whatever PostgreSQL's statistics say. Statistics taken before
/// a burst of submissions say no job is submitted; a statement that then read the queue through the (status, seq) index
/// would cost time in proportion to the length of the queue. Checked on the index scan counters PostgreSQL keeps.
/// </summary>
public sealed class JobTableStatementTests(PostgresServer database) : IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Takes_reports_cancels_and_deletes_look_jobs_up_by_id_when_the_statistics_are_stale()
    {
        var table = "p" + Guid.NewGuid().ToString("N")[..10] + "_jobs";
        Guid[] ids;
        await using (var setup = NpgsqlDataSource.Create(database.ConnectionString))
        {
            await new JobTable(setup, table).CreateAsync(Ct);
            await ExecuteAsync(setup, $"""
                INSERT INTO "{table}" (id, type, status, payload, created_at)
                    SELECT gen_random_uuid(), 'noop', '{JobStatus.Complete}', '[]', now() FROM generate_series(1, 5000);
                ANALYZE "{table}";
                INSERT INTO "{table}" (id, type, status, payload, created_at)
                    SELECT gen_random_uuid(), 'noop', '{JobStatus.Submitted}', '[]', now() FROM generate_series(1, 5000);
                """);
            await using var newest = setup.CreateCommand($"""SELECT id FROM "{table}" ORDER BY seq DESC LIMIT 20""");
            await using var reader = await newest.ExecuteReaderAsync(Ct);
            var read = new List<Guid>();
            while (await reader.ReadAsync(Ct))
            {
                read.Add(reader.GetGuid(0));
            }

            ids = [.. read];
        }

        var before = await IndexScansAsync(table);
        await using (var source = NpgsqlDataSource.Create(database.ConnectionString))
        {
            var jobs = new JobTable(source, table);
            var now = DateTimeOffset.UtcNow;
            var taken = await jobs.TakeAsync(ids[..10], new string?[10], "w1", now, Ct);
            Assert.Equal(10, taken.Count);
            var applied = await jobs.ReportAsync([.. ids[..10].Select(id => new JobTable.Change(id, 1, JobStatus.Complete, "{}", null))], now, Ct);
            Assert.Equal(10, applied.Count);
            Assert.Equal(JobStatus.Cancelled, (await jobs.CancelAsync(ids[10], now, Ct))?.Status);
            await jobs.DeleteUnstartedAsync(ids[11..], Ct);
            Assert.Null(await jobs.GetAsync(ids[11], Ct));
        }

        // The connections are closed, so their server processes report what they scanned as they exit.
        (long Primary, long Status) after = before;
        await Wait.UntilAsync(async () => (after = await IndexScansAsync(table)).Primary + after.Status > before.Primary + before.Status,
            TimeSpan.FromSeconds(10), "PostgreSQL to count the statements' index scans");
        Assert.Equal(before.Status, after.Status);
    }

    private async Task<(long Primary, long Status)> IndexScansAsync(string table)
    {
        await using var source = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = source.CreateCommand(
            $"""
            SELECT coalesce(sum(idx_scan) FILTER (WHERE indexrelname = '{table}_pkey'), 0)::bigint,
                   coalesce(sum(idx_scan) FILTER (WHERE indexrelname = '{table}_status_seq'), 0)::bigint
            FROM pg_stat_user_indexes WHERE relname = '{table}'
            """);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task ExecuteAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
