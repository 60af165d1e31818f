namespace Quarry.Learn.Tabular;

/// <summary>Binary classification metrics from labels and predicted probabilities.</summary>
public static class Metrics
{
    /// <summary>A row is predicted positive when its probability is at least <paramref name="threshold"/>; AUC gives tied scores half credit.</summary>
    public static BinaryMetrics Evaluate(IReadOnlyList<int> labels, IReadOnlyList<float> probabilities, float threshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (labels.Count != probabilities.Count)
        {
            throw new ArgumentException($"{labels.Count} labels but {probabilities.Count} probabilities", nameof(probabilities));
        }

        if (labels.Count == 0)
        {
            throw new ArgumentException("no rows to evaluate", nameof(labels));
        }

        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var positive = probabilities[i] >= threshold;
            switch (labels[i])
            {
                case 1 when positive: tp++; break;
                case 1: fn++; break;
                case 0 when positive: fp++; break;
                case 0: tn++; break;
                default: throw new ArgumentException($"label {labels[i]} at {i} is not 0 or 1", nameof(labels));
            }
        }

        return new BinaryMetrics((double)(tp + tn) / labels.Count, RocAuc(labels, probabilities), tp, fp, tn, fn);
    }

    /// <summary>Mann–Whitney form of the AUC with average ranks for ties.</summary>
    private static double RocAuc(IReadOnlyList<int> labels, IReadOnlyList<float> probabilities)
    {
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => probabilities[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && probabilities[order[end + 1]] == probabilities[order[start]])
            {
                end++;
            }

            var averageRank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]] == 1)
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }
}
