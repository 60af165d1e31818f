namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
    // Count member pairs in a matrix while it has at most this many cells per member occurrence; beyond it (many members,
    // few rows) clearing and reading the matrix would outweigh the scan, so each member counts its own extensions instead.
    private const int MatrixCellsPerOccurrence = 4;

    /// <summary>
    /// Reports the members of a class (itemsets of <paramref name="memberLength"/> items; values above <paramref name="last"/>
    /// in <paramref name="rows"/>) and every frequent itemset that extends them.
    /// </summary>
    private void ExpandClass(ClassRows rows, int last, int first, int count, int memberLength)
    {
        if (memberLength >= _maxLength || count == 1 || rows.Length == 0)
        {
            // No member can be extended: within a class only a later sibling extends a member, and with no rows (no row holds
            // the prefix and two members together) no pair of members is frequent.
            for (var m = first; m < first + count; m++)
            {
                _emitter.Push(_labels[_members[m].Rank]);
                _emitter.Emit(_members[m].Support);
                _emitter.Pop();
            }

            return;
        }

        long occurrences = 0;
        for (var m = first; m < first + count; m++)
        {
            occurrences += _members[m].Support;
        }

        var cells = (long)count * (count - 1) / 2;
        var byMatrix = _counting switch
        {
            ClassCounting.PairMatrix => true,
            ClassCounting.PerMember => false,
            _ => cells <= MatrixCellsPerOccurrence * occurrences,
        };

        // A member's class needs rows holding the member and two more members when its extensions are counted in a matrix
        // here, and one more when each member counts its own; with no room for deeper itemsets the matrix needs none.
        var canDeepen = memberLength + 1 < _maxLength;
        var keepFrom = !byMatrix ? 2 : canDeepen ? 3 : int.MaxValue;
        var matrix = _arenaTop;
        var matrixCells = byMatrix ? (int)cells : 0;

        // Room for the matrix and the projected rows: each at most the members it holds plus an end mark.
        EnsureArena(matrixCells + occurrences + rows.Length);
        _arena.AsSpan(matrix, matrixCells).Clear();
        var projected = matrix + matrixCells;
        _arenaTop = Project(rows, last, first, count, byMatrix ? matrix : -1, projected, keepFrom);

        long listed = 0;
        for (var x = 0; x < count; x++)
        {
            ref var member = ref _members[first + x];
            var needsRows = !byMatrix || (canDeepen && HasTwoExtensions(matrix, x, count, member.Support));
            member.Length = needsRows ? _counts[x] : 0;
            _counts[x] = 0;
            listed += member.Length;
        }

        if (listed > 0)
        {
            ListRows(projected, _arenaTop, first, count, listed);
        }

        for (var x = 0; x < count; x++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var member = _members[first + x];
            var childFirst = _memberTop;
            var childArena = _arenaTop;
            var extensions = _emitter.ExtensionCount;
            _emitter.Push(_labels[member.Rank]);
            if (byMatrix)
            {
                var row = matrix + RowBase(x, count);
                for (var y = x + 1; y < count; y++)
                {
                    AddExtension(first + y, y, _arena[row + y], member.Support);
                }
            }
            else
            {
                CountExtensions(member, x);
                for (var y = x + 1; y < count; y++)
                {
                    AddExtension(first + y, y, _counts[y], member.Support);
                    _counts[y] = 0;
                }
            }

            _emitter.Emit(member.Support);
            var children = _memberTop - childFirst;
            if (children > 0)
            {
                ExpandClass(new ClassRows(true, member.Start, member.Length), x, childFirst, children, memberLength + 1);
            }

            _memberTop = childFirst;
            _arenaTop = childArena;
            _emitter.TruncateExtensions(extensions);
            _emitter.Pop();
        }
    }

    /// <summary>Adds the sibling at <paramref name="sibling"/> as a member of the current member's class, or as a perfect extension.</summary>
    private void AddExtension(int sibling, int value, int support, int parentSupport)
    {
        if (support < _minSupport)
        {
            return;
        }

        if (support == parentSupport)
        {
            _emitter.PushExtension(_labels[_members[sibling].Rank]);
        }
        else
        {
            AddMember(_members[sibling].Rank, value, support);
        }
    }

    /// <summary>Whether member <paramref name="x"/>'s class will have two or more members (frequent, not perfect extensions).</summary>
    private bool HasTwoExtensions(int matrix, int x, int count, int support)
    {
        var row = matrix + RowBase(x, count);
        var found = 0;
        for (var y = x + 1; y < count; y++)
        {
            var pair = _arena[row + y];
            if (pair >= _minSupport && pair != support && ++found == 2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Offset of member <paramref name="x"/>'s matrix row: its pair with member y &gt; x is at offset + y.</summary>
    private static int RowBase(int x, int count) => (int)(((long)x * ((2 * count) - x - 1) / 2) - x - 1);
}
