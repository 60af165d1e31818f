using System.Globalization;
using Npgsql;
using StackExchange.Redis;

namespace Quarry.Bench.Jobs;

/// <summary>
/// Commands the engines executed, read from the engines themselves: Redis <c>INFO commandstats</c> and PostgreSQL
/// <c>pg_stat_statements</c> (the suite's server preloads it). A snapshot before and after a run gives the round trips
/// per job; the suite's own polling (one count per 20 ms) is included and named.
/// </summary>
internal static class EngineCalls
{
    /// <summary>Calls per command (Redis) or per statement (PostgreSQL, first words of its text) so far.</summary>
    public static async Task<Dictionary<string, long>> SnapshotAsync(BenchEngines engines)
    {
        if (engines.Redis is { } redis)
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true");
            var info = await connection.GetServer("127.0.0.1", redis.Port).InfoAsync("commandstats");
            return info.SelectMany(g => g).ToDictionary(
                p => p.Key.Replace("cmdstat_", "", StringComparison.Ordinal),
                p => long.Parse(p.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        }

        if (engines.Postgres is { } postgres)
        {
            await using var connection = new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection))
            {
                await create.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand("SELECT query, calls FROM pg_stat_statements", connection);
            var calls = new Dictionary<string, long>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var key = Shorten(reader.GetString(0));
                calls[key] = calls.GetValueOrDefault(key) + reader.GetInt64(1);
            }

            return calls;
        }

        return [];
    }

    /// <summary>
    /// "N per job (a x, b y, …)" for what ran between two snapshots, largest first. Redis counts the commands a script runs
    /// as well as the script call, so script calls (the round trips) are given apart.
    /// </summary>
    public static string PerJob(Dictionary<string, long> before, Dictionary<string, long> after, long jobs)
    {
        var delta = after.Select(p => (Name: p.Key, Calls: p.Value - before.GetValueOrDefault(p.Key)))
            .Where(p => p.Calls > 0 && !p.Name.Contains("pg_stat_statements", StringComparison.Ordinal) && p.Name != "info")
            .OrderByDescending(p => p.Calls).ToArray();
        if (delta.Length == 0)
        {
            return "—";
        }

        var perJob = 1.0 / Math.Max(1, jobs);
        var scripts = delta.Where(p => p.Name is "evalsha" or "eval").Sum(p => p.Calls);
        var summary = scripts > 0
            ? $"{scripts * perJob:F3} script calls per job, {(delta.Sum(p => p.Calls) - scripts) * perJob:F3} commands per job in and beside them"
            : $"{delta.Sum(p => p.Calls) * perJob:F3} per job";
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary} ({string.Join(", ", delta.Take(8).Select(p => $"{p.Name} {p.Calls * perJob:F3}"))})");
    }

    private static string Shorten(string query)
    {
        var words = query.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var text = string.Join(' ', words.Take(4));
        return text.Contains("count(*)", StringComparison.Ordinal) || query.Contains("count(*)", StringComparison.Ordinal) ? "count poll" : text;
    }
}
