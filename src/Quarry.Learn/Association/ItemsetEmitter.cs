namespace Quarry.Learn.Association;

/// <summary>
/// Tracks the itemset on the current search path and its perfect extensions (items in every transaction of the path), and
/// reports the path together with every subset of its perfect extensions, all of which share the path's support.
/// </summary>
internal sealed class ItemsetEmitter
{
    private readonly IItemsetReceiver _receiver;
    private readonly int _maxLength;
    private int[] _path = new int[64];
    private int _pathLength;
    private int[] _extensions = new int[64];
    private int _extensionCount;

    public ItemsetEmitter(IItemsetReceiver receiver, int maxLength)
    {
        _receiver = receiver;
        _maxLength = maxLength;
    }

    /// <summary>Number of itemsets reported so far.</summary>
    public long Count { get; private set; }

    public int PathLength => _pathLength;

    public int ExtensionCount => _extensionCount;

    public void Push(int label)
    {
        if (_pathLength == _path.Length)
        {
            Array.Resize(ref _path, _path.Length * 2);
        }

        _path[_pathLength++] = label;
    }

    public void Pop() => _pathLength--;

    public void PushExtension(int label)
    {
        if (_extensionCount == _extensions.Length)
        {
            Array.Resize(ref _extensions, _extensions.Length * 2);
        }

        _extensions[_extensionCount++] = label;
    }

    /// <summary>Drops perfect extensions back to <paramref name="count"/>.</summary>
    public void TruncateExtensions(int count) => _extensionCount = count;

    /// <summary>Reports the path and, with the same support, the path joined with each non-empty subset of the extensions.</summary>
    public void Emit(int support)
    {
        Count++;
        _receiver.Receive(_path.AsSpan(0, _pathLength), support);
        if (_extensionCount > 0 && _pathLength < _maxLength)
        {
            var needed = _pathLength + _extensionCount;
            if (needed > _path.Length)
            {
                Array.Resize(ref _path, Math.Max(needed, _path.Length * 2));
            }

            EmitSubsets(0, _pathLength, support);
        }
    }

    // Depth-first over subsets, so that consecutive itemsets share the longest possible leading run.
    private void EmitSubsets(int start, int length, int support)
    {
        for (var e = start; e < _extensionCount; e++)
        {
            _path[length] = _extensions[e];
            Count++;
            _receiver.Receive(_path.AsSpan(0, length + 1), support);
            if (length + 1 < _maxLength && e + 1 < _extensionCount)
            {
                EmitSubsets(e + 1, length + 1, support);
            }
        }
    }
}
