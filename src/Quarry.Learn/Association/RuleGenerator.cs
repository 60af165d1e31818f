namespace Quarry.Learn.Association;

/// <summary>Derives single-consequent association rules from frequent itemsets.</summary>
public static class RuleGenerator
{
    /// <summary>For every frequent itemset I with |I| of 2 or more and every y in I, emits (I \ {y}) -> y when its confidence reaches <paramref name="minConfidence"/>.</summary>
    public static IReadOnlyList<AssociationRule> Generate(FrequentItemsets itemsets, double minConfidence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemsets);
        if (double.IsNaN(minConfidence) || minConfidence < 0 || minConfidence > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minConfidence), minConfidence, "Minimum confidence must be in [0, 1].");
        }

        var rules = new List<AssociationRule>();
        var transactions = (double)itemsets.TransactionCount;
        int[]? scratch = null;
        for (var index = 0; index < itemsets.Count; index++)
        {
            if ((index & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var items = itemsets.Items(index);
            if (items.Length < 2)
            {
                continue;
            }

            if (scratch is null || scratch.Length < items.Length)
            {
                scratch = new int[Math.Max(16, items.Length * 2)];
            }

            var support = itemsets.Support(index);
            for (var drop = 0; drop < items.Length; drop++)
            {
                var consequent = items[drop];
                var antecedent = scratch.AsSpan(0, items.Length - 1);
                items[..drop].CopyTo(antecedent);
                items[(drop + 1)..].CopyTo(antecedent[drop..]);

                // Every subset of a frequent itemset is frequent, so the lookup only fails on a malformed result.
                if (!itemsets.TryGetSupport(antecedent, out var antecedentSupport))
                {
                    throw new InvalidOperationException("Itemsets are not downward closed: a subset of a frequent itemset is missing.");
                }

                var confidence = (double)support / antecedentSupport;
                if (confidence < minConfidence)
                {
                    continue;
                }

                var lift = confidence * transactions / itemsets.ItemSupport(consequent);
                rules.Add(new AssociationRule(antecedent.ToArray(), consequent, support, confidence, lift));
            }
        }

        return rules;
    }
}
