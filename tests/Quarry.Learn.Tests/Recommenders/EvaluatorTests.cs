using Quarry.Learn.Recommenders;

namespace Quarry.Learn.Tests.Recommenders;

public sealed class EvaluatorTests
{
    [Fact]
    public void Metrics_on_a_hand_made_ranking()
    {
        // Hits at ranks 1 and 3 (0-based 0 and 2) among 3 held-out items; a third hit at rank 15 counts for recall only.
        int[] ranked = [5, 9, 7, 1, 2, 3, 4, 6, 8, 10, 11, 12, 13, 14, 20, 15, 16, 17, 18, 19];
        var (recall, ndcg, precision) = Evaluator.Measure(ranked, [5, 7, 20]);

        Assert.Equal(1.0, recall, 12);
        var dcg = 1.0 + (1.0 / Math.Log2(4));
        var idcg = 1.0 + (1.0 / Math.Log2(3)) + (1.0 / Math.Log2(4));
        Assert.Equal(dcg / idcg, ndcg, 12);
        Assert.Equal(0.2, precision, 12);
    }

    [Fact]
    public void Recall_and_ndcg_cap_the_ideal_at_the_list_length()
    {
        var heldOut = Enumerable.Range(0, 30).ToArray();
        var ranked = Enumerable.Range(0, 20).ToArray();
        var (recall, ndcg, precision) = Evaluator.Measure(ranked, heldOut);

        Assert.Equal(1.0, recall, 12);
        Assert.Equal(1.0, ndcg, 12);
        Assert.Equal(1.0, precision, 12);

        var (missRecall, missNdcg, missPrecision) = Evaluator.Measure([100, 101], [1]);
        Assert.Equal((0.0, 0.0, 0.0), (missRecall, missNdcg, missPrecision));
    }

    [Fact]
    public void Evaluate_excludes_training_items_and_averages_over_users()
    {
        // Items 0..5; the fixed ranking prefers low ids, and user 0's training item 0 must be skipped.
        var train = InteractionMatrix.Create(2, 6, [(0, 0), (1, 5)]);
        var split = new HoldoutSplit(train, new Dictionary<int, int[]> { [0] = [1], [1] = [4] });
        var quality = Evaluator.Evaluate(new Fixed([6, 5, 4, 3, 2, 1]), split);

        // User 0: item 1 at rank 0 → all metrics perfect except P@10 = 0.1. User 1: ranking 0,1,2,3,4 → hit at rank 4.
        Assert.Equal(2, quality.UsersEvaluated);
        Assert.Equal(1.0, quality.RecallAt20, 12);
        Assert.Equal((1.0 + (1.0 / Math.Log2(6))) / 2, quality.NdcgAt10, 12);
        Assert.Equal(0.1, quality.PrecisionAt10, 12);
    }

    private sealed class Fixed(float[] scores) : IRecommender
    {
        public int Items => scores.Length;

        public void Score(ReadOnlySpan<int> history, Span<float> output) => scores.CopyTo(output);
    }
}
