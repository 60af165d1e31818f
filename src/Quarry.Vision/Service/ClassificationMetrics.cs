using System.Diagnostics.Metrics;
using Quarry.Core.Telemetry;

namespace Quarry.Vision.Service;

/// <summary>
/// Classification jobs as metrics (meter <c>Quarry.Classification</c>): submissions by tier, and the newest jobs by tier and
/// state (a pod phase), read from the executor in the background while something scrapes.
/// </summary>
public sealed class ClassificationMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Quarry.Classification";

    /// <summary>How many of the newest jobs the state gauge covers (queued and running ones are always among them).</summary>
    public const int Window = 500;

    private readonly Counter<long> _submitted;
    private readonly Sampled<IReadOnlyList<ClassificationJob>> _jobs;

    /// <summary>Creates the instruments on the container's meter factory.</summary>
    public ClassificationMetrics(IClassificationExecutor executor, IMeterFactory meters, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _jobs = new(ct => executor.ListAsync(Window, ct), TimeSpan.FromSeconds(2), clock);
        _submitted = meter.CreateCounter<long>("quarry.classification.submitted", "{job}", "Training jobs accepted, by tier.");
        meter.CreateObservableGauge("quarry.classification.jobs", Jobs, "{job}", $"The newest {Window} training jobs, by tier and state.");
    }

    /// <summary>A job of <paramref name="tier"/> was accepted.</summary>
    public void Submitted(string tier) => _submitted.Add(1, new KeyValuePair<string, object?>("tier", tier));

    private IEnumerable<Measurement<int>> Jobs()
    {
        if (_jobs.Get() is not { } jobs)
        {
            return [];
        }

        var counts = jobs.CountBy(j => (j.Tier, j.Status)).ToDictionary();
        return from tier in new[] { Tiers.Name(Tier.Free), Tiers.Name(Tier.Premium) }
               from state in new[] { PodPhase.Pending, PodPhase.Running, PodPhase.Succeeded, PodPhase.Failed, PodPhase.Unknown }
               select new Measurement<int>(counts.GetValueOrDefault((tier, state)), new("tier", tier), new("state", state));
    }
}
