namespace Quarry.Learn.Association;

/// <summary>Transactions over dense item ids 0..ItemCount-1, stored flat (CSR); items of a transaction are distinct and sorted.</summary>
public sealed partial class TransactionDatabase
{
    private readonly int[] _items;
    private readonly int[] _offsets;

    internal TransactionDatabase(int[] items, int[] offsets, int count, int itemCount)
    {
        _items = items;
        _offsets = offsets;
        Count = count;
        ItemCount = itemCount;
    }

    /// <summary>Number of transactions.</summary>
    public int Count { get; }

    /// <summary>Number of distinct item ids (largest id + 1).</summary>
    public int ItemCount { get; }

    /// <summary>Total number of (transaction, item) pairs.</summary>
    public int TotalItems => _offsets[Count];

    /// <summary>The sorted, distinct items of one transaction.</summary>
    public ReadOnlySpan<int> this[int transaction]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(transaction);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(transaction, Count);
            return _items.AsSpan(_offsets[transaction], _offsets[transaction + 1] - _offsets[transaction]);
        }
    }

    internal ReadOnlySpan<int> Items => _items.AsSpan(0, _offsets[Count]);

    internal ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, Count + 1);

    /// <summary>Builds a database; item ids must be non-negative, duplicates within a transaction are dropped.</summary>
    public static TransactionDatabase Create(IEnumerable<IReadOnlyList<int>> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var builder = new TransactionBuilder();
        foreach (var transaction in transactions)
        {
            ArgumentNullException.ThrowIfNull(transaction, nameof(transactions));
            for (var i = 0; i < transaction.Count; i++)
            {
                var item = transaction[i];
                if (item < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(transactions), item, $"Item ids must be non-negative; transaction {builder.Count} holds {item}.");
                }

                builder.Add(item);
            }

            builder.EndTransaction();
        }

        return builder.Build();
    }
}
