namespace Quarry.Learn.Recommenders;

/// <summary>Users × items implicit feedback, CSR, items sorted and distinct per user.</summary>
public sealed class InteractionMatrix
{
    private readonly int[] _offsets;
    private readonly int[] _items;

    private InteractionMatrix(int users, int items, int[] offsets, int[] itemIds)
    {
        Users = users;
        Items = items;
        _offsets = offsets;
        _items = itemIds;
    }

    /// <summary>Number of users (rows).</summary>
    public int Users { get; }

    /// <summary>Number of items (columns).</summary>
    public int Items { get; }

    /// <summary>Number of distinct (user, item) pairs.</summary>
    public long Count => _items.Length;

    /// <summary>Builds the matrix; duplicate pairs count once.</summary>
    public static InteractionMatrix Create(int users, int items, IEnumerable<(int User, int Item)> pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs as IReadOnlyCollection<(int User, int Item)> ?? pairs.ToList();
        var offsets = new int[users + 1];
        foreach (var (user, item) in list)
        {
            if ((uint)user >= (uint)users || (uint)item >= (uint)items)
            {
                throw new ArgumentOutOfRangeException(nameof(pairs), $"pair ({user}, {item}) is outside {users} users × {items} items");
            }

            offsets[user + 1]++;
        }

        for (var u = 0; u < users; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var cursor = offsets[..^1];
        var buffer = new int[offsets[users]];
        foreach (var (user, item) in list)
        {
            buffer[cursor[user]++] = item;
        }

        // Sort each row and squeeze out duplicates, compacting in place.
        var write = 0;
        var compact = new int[users + 1];
        for (var u = 0; u < users; u++)
        {
            var row = buffer.AsSpan(offsets[u], offsets[u + 1] - offsets[u]);
            row.Sort();
            for (var i = 0; i < row.Length; i++)
            {
                if (i == 0 || row[i] != row[i - 1])
                {
                    buffer[write++] = row[i];
                }
            }

            compact[u + 1] = write;
        }

        return new InteractionMatrix(users, items, compact, write == buffer.Length ? buffer : buffer[..write]);
    }

    /// <summary>The items of one user, ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);

    /// <summary>Number of users per item (popularity).</summary>
    public int[] ItemCounts()
    {
        var counts = new int[Items];
        foreach (var item in _items)
        {
            counts[item]++;
        }

        return counts;
    }

    /// <summary>Users per item, ascending: the transpose in CSR form.</summary>
    internal (int[] Offsets, int[] Users) ByItem()
    {
        var offsets = new int[Items + 1];
        foreach (var item in _items)
        {
            offsets[item + 1]++;
        }

        for (var i = 0; i < Items; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var cursor = offsets[..^1];
        var users = new int[_items.Length];
        for (var u = 0; u < Users; u++)
        {
            foreach (var item in ItemsOf(u))
            {
                users[cursor[item]++] = u;
            }
        }

        return (offsets, users);
    }
}
