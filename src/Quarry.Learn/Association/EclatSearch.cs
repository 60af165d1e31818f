namespace Quarry.Learn.Association;

/// <summary>
/// Depth-first Eclat for sparse data over items ranked by ascending support, with the transactions projected per class. A
/// class is the frequent one-item extensions (members) of a prefix P, each with its support, plus the rows of P's
/// transactions that can hold a pair of members. One scan of those rows counts every member pair, which gives the supports
/// of the members' own classes, and writes each row cut down to the members it holds: the rows those classes scan in turn,
/// so deeper classes read small, contiguous data instead of the database. Extensions found in every transaction of their
/// parent are perfect: they leave the class and are reported with it (see <see cref="ItemsetEmitter"/>).
/// </summary>
internal sealed partial class EclatSearch
{
    private readonly int _minSupport;
    private readonly int _maxLength;
    private readonly ClassCounting _counting;
    private readonly ItemsetEmitter _emitter;
    private readonly IProgress<double>? _progress;
    private readonly CancellationToken _cancellationToken;

    // Rank -> original item id and support; ranks ascend with support.
    private readonly int[] _labels;
    private readonly int[] _rankSupport;

    // Transactions recoded to ranks, each row in descending rank order. A row is named by its start in _rows, which ascends
    // with the transaction; per rank, the rows holding it after enough higher ranks to matter are at _tidOffsets[rank] in _tids.
    private readonly int[] _rows;
    private readonly int[] _rowOffsets;
    private readonly int[] _tids;
    private readonly int[] _tidOffsets;

    // Per-rank scratch for counting the partners of one item.
    private readonly int[] _counts;
    private readonly int[] _touched;

    // Stack-allocated storage: each class owns a contiguous run of members and of arena ints above its parent's.
    private int[] _arena;
    private int _arenaTop;
    private Member[] _members;
    private int _memberTop;

    public EclatSearch(TransactionDatabase database, RankedItems ranked, MiningOptions options, ClassCounting counting, ItemsetEmitter emitter, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        _minSupport = options.MinSupportCount;
        _maxLength = options.MaxLength;
        _counting = counting;
        _emitter = emitter;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _labels = ranked.Labels;
        _rankSupport = ranked.Supports;
        var frequent = _labels.Length;

        (_rows, _rowOffsets) = Recode(database, ranked.RankOf);
        (_pairCounts, _pairBase) = _maxLength >= 2 ? CountPairs(_rows, _rowOffsets, frequent) : (null, null);
        (_tids, _tidOffsets) = Transpose(_rows, _rowOffsets, frequent, _pairCounts is null ? 1 : 2);
        _counts = new int[frequent];
        _touched = new int[frequent];
        _memberIndex = new int[frequent];
        Array.Fill(_memberIndex, -1);
        _memberBase = new int[frequent];
        _fill = new int[frequent];
        Array.Fill(_fill, -1);
        var longestRow = 0;
        for (var t = 0; t + 1 < _rowOffsets.Length; t++)
        {
            longestRow = Math.Max(longestRow, _rowOffsets[t + 1] - _rowOffsets[t]);
        }

        _found = new int[longestRow];
        _arena = new int[Math.Max(1024, _rows.Length / 4)];
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
                var count = BuildTopClass(i);
                _emitter.Emit(_rankSupport[i]);
                if (count > 0)
                {
                    ExpandClass(new ClassRows(false, _tidOffsets[i], _tidOffsets[i + 1] - _tidOffsets[i]), i, 0, count, 2);
                }

                _memberTop = 0;
                _arenaTop = 0;
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

    /// <summary>Makes the frequent partners of item <paramref name="rank"/> (higher ranks) the members of its class; perfect ones go to the emitter.</summary>
    private int BuildTopClass(int rank)
    {
        var members = _pairCounts is null ? DeliverTopCounts(rank) : ReadPairCounts(rank);
        var support = _rankSupport[rank];
        foreach (var r in _touched.AsSpan(0, members))
        {
            if (_counts[r] == support)
            {
                _emitter.PushExtension(_labels[r]);
            }
            else
            {
                AddMember(r, r, _counts[r]);
            }

            _counts[r] = 0;
        }

        return _memberTop;
    }

    private void AddMember(int rank, int value, int support)
    {
        if (_memberTop == _members.Length)
        {
            Array.Resize(ref _members, _members.Length * 2);
        }

        _members[_memberTop++] = new Member { Rank = rank, Value = value, Support = support };
    }

    /// <summary>Makes room for <paramref name="extra"/> more ints above the arena top.</summary>
    private void EnsureArena(long extra)
    {
        var needed = _arenaTop + extra;
        if (needed > _arena.Length)
        {
            var grown = Math.Max(needed, Math.Min((long)Array.MaxLength, 2L * _arena.Length));
            Array.Resize(ref _arena, checked((int)grown));
        }
    }

    /// <summary>
    /// One member of a class: the item's rank, its value in the rows the class scans (the rank at the top level, its index
    /// among its parent's members below), its support, and the rows of its own class (starts of projected rows in the arena).
    /// </summary>
    private struct Member
    {
        public int Rank;
        public int Value;
        public int Support;
        public int Start;
        public int Length;
    }

    /// <summary>The rows a class scans: starts of database rows in _tids (the top level), or of projected rows in the arena.</summary>
    private readonly record struct ClassRows(bool InArena, int Start, int Length);
}
