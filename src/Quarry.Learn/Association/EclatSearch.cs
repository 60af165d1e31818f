using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

/// <summary>
/// Depth-first Eclat over items ranked by ascending support, for sparse data. Level two is built by occurrence delivery over
/// the horizontal data; deeper levels intersect tidsets and switch a class to diffsets once those are smaller. Extensions
/// found in every transaction of their parent are perfect: they leave the class and are reported with it (see <see cref="ItemsetEmitter"/>).
/// </summary>
internal sealed partial class EclatSearch
{
    private readonly int _minSupport;
    private readonly int _maxLength;
    private readonly ItemsetEmitter _emitter;
    private readonly IProgress<double>? _progress;
    private readonly CancellationToken _cancellationToken;

    // Rank -> original item id and support; ranks ascend with support.
    private readonly int[] _labels;
    private readonly int[] _rankSupport;

    // Transactions recoded to ranks, each row in descending rank order (horizontal). A transaction's id in every tid list is
    // the start of its row, which ascends with the transaction, so delivery reads a row without a lookup and stops at the
    // parent's item, beyond which only lower ranks follow. Per rank: its tids and the position of the rank in each row.
    private readonly int[] _rows;
    private readonly int[] _rowOffsets;
    private readonly int[] _tids;
    private readonly int[] _positions;
    private readonly int[] _tidOffsets;

    // Per-rank scratch for occurrence delivery; _fill holds -1 for ranks that are not members.
    private readonly int[] _counts;
    private readonly int[] _fill;
    private readonly int[] _touched;

    private readonly double _averageRowLength;

    public EclatSearch(TransactionDatabase database, RankedItems ranked, MiningOptions options, ItemsetEmitter emitter, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        _minSupport = options.MinSupportCount;
        _maxLength = options.MaxLength;
        _emitter = emitter;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _labels = ranked.Labels;
        _rankSupport = ranked.Supports;
        var frequent = _labels.Length;

        (_rows, _rowOffsets) = Recode(database, ranked.RankOf);
        (_tids, _positions, _tidOffsets) = Transpose(_rows, _rowOffsets, _rankSupport);
        (_pairCounts, _pairBase) = CountPairs(_rows, _rowOffsets, frequent);
        _averageRowLength = _rows.Length / (double)Math.Max(1, _rowOffsets.Length - 1);
        _counts = new int[frequent];
        _fill = new int[frequent];
        Array.Fill(_fill, -1);
        _touched = new int[frequent];
        _arena = new int[Math.Max(1024, _rows.Length)];
        StoreLevelTwo();
        _members = new Member[Math.Max(64, frequent)];
    }

    public void Run()
    {
        var reported = -1;
        for (var i = 0; i < _labels.Length; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _emitter.Push(_labels[i]);
            if (_maxLength >= 2 && i + 1 < _labels.Length)
            {
                var count = BuildTopClass(i, out var diffsets);
                _emitter.Emit(_rankSupport[i]);
                if (count > 0)
                {
                    Expand(0, count, diffsets, 2);
                }

                _memberTop = 0;
                _arenaTop = _arenaBase;
                _emitter.TruncateExtensions(0);
            }
            else
            {
                _emitter.Emit(_rankSupport[i]);
            }

            _emitter.Pop();

            var percent = (int)((i + 1L) * 100 / _labels.Length);
            if (_progress is not null && percent != reported)
            {
                reported = percent;
                _progress.Report((i + 1.0) / _labels.Length);
            }
        }
    }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    /// <summary>Builds the class of item rank <paramref name="rank"/> (pairs with higher ranks) by scanning its transactions once to count and once to fill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int BuildTopClass(int rank, out bool diffsets)
    {
        int from = _tidOffsets[rank], to = _tidOffsets[rank + 1];
        var members = _pairCounts is null ? DeliverTopCounts(from, to) : ReadPairCounts(rank);
        var memberRanks = _touched.AsSpan(0, members);
        long tidTotal = 0;
        foreach (var r in memberRanks)
        {
            tidTotal += _counts[r];
        }

        var parentSupport = to - from;

        if (_arenaBase > 0)
        {
            // Pair tidsets were stored by the level-two sweep; the fill position has advanced to each list's end.
            foreach (var r in memberRanks)
            {
                AddMember(r, _counts[r], _pairFill![_pairBase![rank] + r] - _counts[r], _counts[r]);
                _counts[r] = 0;
            }
        }
        else
        {
            FillTopClass(memberRanks, from, to, tidTotal);
        }

        members = RemovePerfectExtensions(0, parentSupport);
        tidTotal = 0;
        for (var m = 0; m < members; m++)
        {
            tidTotal += _members[m].Length;
        }

        var diffTotal = ((long)members * parentSupport) - tidTotal;
        diffsets = _maxLength > 2 && diffTotal < tidTotal;
        if (diffsets)
        {
            ConvertToDiffsets(0, members, _tids, from, parentSupport, diffTotal);
            _arenaTop = Math.Max(_arenaTop, _arenaBase);
        }

        return members;
    }

    /// <summary>Second pass of per-item delivery: copies each tid of the item into the tidsets of its frequent partners.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillTopClass(ReadOnlySpan<int> memberRanks, int from, int to, long tidTotal)
    {
        EnsureArena(tidTotal);
        var position = _arenaTop;
        foreach (var r in memberRanks)
        {
            AddMember(r, _counts[r], position, _counts[r]);
            _fill[r] = position;
            position += _counts[r];
            _counts[r] = 0;
        }

        int[] rows = _rows, tids = _tids, positions = _positions, fill = _fill, arena = _arena;
        for (var k = from; k < to; k++)
        {
            if (k + PrefetchDistance < to)
            {
                Prefetch(rows, tids[k + PrefetchDistance]);
            }

            var tid = tids[k];
            var end = positions[k];
            for (var q = tid; q < end; q++)
            {
                var r = rows[q];
                var slot = fill[r];
                if (slot >= 0)
                {
                    arena[slot] = tid;
                    fill[r] = slot + 1;
                }
            }
        }

        foreach (var r in memberRanks)
        {
            _fill[r] = -1;
        }

        _arenaTop = position;
    }
}
