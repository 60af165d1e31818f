namespace Quarry.Learn.Tabular;

/// <summary>Stratified k-fold cross-validation with the standardizer fitted inside each training fold.</summary>
public static class CrossValidator
{
    /// <summary>
    /// Stratified k-fold with a seeded shuffle; the standardizer is fitted on each training fold only (no leakage),
    /// <paramref name="train"/> receives standardised training rows, and held-out rows are scored after the same transform.
    /// </summary>
    public static CrossValidation Run(TabularData data, int folds, int seed, Func<float[][], int[], IBinaryClassifier> train)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(train);
        var assignment = StratifiedFolds(data.Labels, folds, seed);
        var results = new List<FoldResult>(folds);
        var held = new bool[data.Rows];
        for (var f = 0; f < assignment.Length; f++)
        {
            Array.Clear(held);
            foreach (var i in assignment[f])
            {
                held[i] = true;
            }

            var trainRows = Enumerable.Range(0, data.Rows).Where(i => !held[i]).ToArray();
            var standardizer = Standardizer.Fit([.. trainRows.Select(i => data.Features[i])]);
            var x = standardizer.TransformAll([.. trainRows.Select(i => data.Features[i])]);
            var y = trainRows.Select(i => data.Labels[i]).ToArray();
            var model = train(x, y);

            var probabilities = assignment[f].Select(i => model.PredictProbability(standardizer.Transform(data.Features[i]))).ToArray();
            var labels = assignment[f].Select(i => data.Labels[i]).ToArray();
            results.Add(new FoldResult(f, Metrics.Evaluate(labels, probabilities)));
        }

        return new CrossValidation(results);
    }

    /// <summary>
    /// Held-out row indices of each fold (ascending). Each class is shuffled with <paramref name="seed"/> and dealt
    /// round-robin, continuing across classes, so every fold keeps the class ratio and fold sizes differ by at most one.
    /// </summary>
    public static int[][] StratifiedFolds(int[] labels, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(folds, labels.Length);
        var random = new Random(seed);
        var members = Enumerable.Range(0, folds).Select(_ => new List<int>()).ToArray();
        var next = 0;
        foreach (var label in labels.Distinct().Order())
        {
            var indices = Enumerable.Range(0, labels.Length).Where(i => labels[i] == label).ToArray();
            random.Shuffle(indices);
            foreach (var index in indices)
            {
                members[next].Add(index);
                next = (next + 1) % folds;
            }
        }

        return [.. members.Select(m => m.Order().ToArray())];
    }
}
