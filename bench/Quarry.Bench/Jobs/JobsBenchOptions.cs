using System.Globalization;

namespace Quarry.Bench.Jobs;

/// <summary>Command-line options of the jobs suite.</summary>
internal sealed record JobsBenchOptions(IReadOnlyList<string> Backends, int Jobs, int LatencyJobs, bool NoCelery)
{
    public static readonly IReadOnlyList<string> AllBackends = ["embedded", "redis", "rabbitmq"];

    public static JobsBenchOptions Parse(string[] args)
    {
        var backends = AllBackends;
        var jobs = 20_000;
        var latencyJobs = 2_000;
        var noCelery = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--no-celery")
            {
                noCelery = true;
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--backends": backends = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--jobs": jobs = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--latency-jobs": latencyJobs = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}; options: --backends embedded,redis,rabbitmq, --jobs N, --latency-jobs N, --no-celery");
            }

            i++;
        }

        foreach (var backend in backends)
        {
            if (!AllBackends.Contains(backend))
            {
                throw new ArgumentException($"unknown backend '{backend}'; backends: {string.Join(", ", AllBackends)}");
            }
        }

        return new JobsBenchOptions(backends, Math.Max(100, jobs), Math.Max(10, latencyJobs), noCelery);
    }
}
