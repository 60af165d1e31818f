namespace Quarry.Learn.Association;

/// <summary>Receives each frequent itemset once, as mining finds it, so that callers need not hold them all.</summary>
public interface IItemsetReceiver
{
    /// <summary>
    /// Called once per frequent itemset. <paramref name="items"/> are distinct item ids in no particular order and are only valid
    /// during the call; consecutive itemsets usually share a leading run of items, which a writer can reuse.
    /// </summary>
    void Receive(ReadOnlySpan<int> items, int support);
}
