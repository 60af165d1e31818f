using Quarry.Learn.Neural;
using Quarry.Vision.Datasets;

namespace Quarry.Vision.Training;

/// <summary>One classification training job, as <c>quarry classify</c> takes it.</summary>
public sealed record ClassifyOptions
{
    /// <summary>Least and most epochs accepted.</summary>
    public const int MaxEpochs = 1000;

    /// <summary>The dataset trained and tested on.</summary>
    public required DigitDataset Dataset { get; init; }

    /// <summary>The network.</summary>
    public required NetworkKind Model { get; init; }

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Adam's learning rate.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Seeds the weights and the shuffles.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads a batch is split across (at most the CPUs this process may use).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The data directory: dataset cache and published models.</summary>
    public required string DataDir { get; init; }

    /// <summary>A folder with the idx files to use instead of the cache and the network.</summary>
    public string? DatasetDir { get; init; }

    /// <summary>Mirrors tried in order instead of the dataset's defaults.</summary>
    public IReadOnlyList<string>? Mirrors { get; init; }

    /// <summary>Where the result, the progress file and a copy of the model go.</summary>
    public required string OutDir { get; init; }

    /// <summary>Version recorded with the published model.</summary>
    public required string Version { get; init; }

    /// <summary>The first invalid setting as one line naming the option, its range and the value given; null when all are valid.</summary>
    public string? Validate()
    {
        if (Epochs is < 1 or > MaxEpochs)
        {
            return $"--epochs must be from 1 to {MaxEpochs} (was {Epochs})";
        }

        if (BatchSize is < 1 or > 60_000)
        {
            return $"--batch-size must be from 1 to 60000 (was {BatchSize})";
        }

        if (!(LearningRate > 0 && LearningRate <= 1))
        {
            return $"--learning-rate must be above 0 and at most 1 (was {LearningRate})";
        }

        if (Threads < 1 || Threads > Environment.ProcessorCount)
        {
            return $"--threads must be from 1 to {Environment.ProcessorCount}, the CPUs this process may use (was {Threads})";
        }

        return null;
    }
}
