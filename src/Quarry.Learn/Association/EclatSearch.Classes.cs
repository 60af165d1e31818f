using System.Runtime.CompilerServices;

namespace Quarry.Learn.Association;

internal sealed partial class EclatSearch
{
    // Stack-allocated storage: each class owns a contiguous run of members and of tid-list ints above its parent's.
    private int[] _arena;
    private int _arenaTop;
    private Member[] _members;
    private int _memberTop;

    /// <summary>One member of an equivalence class: an item rank, its support and its tidset or diffset in the arena.</summary>
    private struct Member
    {
        public int Rank;
        public int Support;
        public int Start;
        public int Length;
    }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    /// <summary>
    /// Visits each member of a class (itemsets of <paramref name="length"/> items): builds the class of its extensions, moves the
    /// perfect ones to the emitter, reports the member with them, then descends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Expand(int first, int count, bool diffsets, int length)
    {
        var extend = length < _maxLength;
        var keep = length + 1 < _maxLength;
        var end = first + count;
        for (var a = first; a < end; a++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var parent = _members[a];
            var childFirst = _memberTop;
            var childArena = _arenaTop;
            var extensions = _emitter.ExtensionCount;
            _emitter.Push(_labels[parent.Rank]);
            var children = 0;
            var childDiffsets = diffsets;
            if (extend && a + 1 < end)
            {
                _ = diffsets ? SubtractSiblings(a, end, keep)
                    : DeliveryIsCheaper(a, end) ? DeliverSiblings(a, end, keep)
                    : IntersectSiblings(a, end, keep);
                children = RemovePerfectExtensions(childFirst, parent.Support);
                if (keep && !diffsets && children > 0)
                {
                    long tidTotal = 0;
                    for (var m = childFirst; m < childFirst + children; m++)
                    {
                        tidTotal += _members[m].Length;
                    }

                    var diffTotal = ((long)children * parent.Support) - tidTotal;
                    if (diffTotal < tidTotal)
                    {
                        // Grow first so the parent tidset is read from the live arena.
                        EnsureArena(diffTotal + parent.Length);
                        ConvertToDiffsets(childFirst, children, _arena, parent.Start, parent.Length, diffTotal);
                        childDiffsets = true;
                    }
                }
            }

            _emitter.Emit(parent.Support);
            if (children > 0)
            {
                Expand(childFirst, children, childDiffsets, length + 1);
            }

            _memberTop = childFirst;
            _arenaTop = childArena;
            _emitter.TruncateExtensions(extensions);
            _emitter.Pop();
        }
    }

    /// <summary>Moves the members from <paramref name="first"/> up whose support equals the parent's to the emitter's perfect extensions; returns how many stay.</summary>
    private int RemovePerfectExtensions(int first, int parentSupport)
    {
        var write = first;
        for (var m = first; m < _memberTop; m++)
        {
            if (_members[m].Support == parentSupport)
            {
                _emitter.PushExtension(_labels[_members[m].Rank]);
            }
            else
            {
                _members[write++] = _members[m];
            }
        }

        _memberTop = write;
        return write - first;
    }

    /// <summary>Diffset step: d(P a b) = d(P b) \ d(P a), support(P a b) = support(P a) - |d(P a b)|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (long TidTotal, long DiffTotal) SubtractSiblings(int a, int end, bool keep)
    {
        var parent = _members[a];
        for (var b = a + 1; b < end; b++)
        {
            var sibling = _members[b];
            EnsureArena(sibling.Length);
            var size = TidLists.Difference(Slice(sibling), Slice(parent), _arena.AsSpan(_arenaTop), parent.Support - _minSupport);
            if (size >= 0)
            {
                Keep(sibling.Rank, parent.Support - size, size, keep);
            }
        }

        return (0, 0);
    }

    /// <summary>Tidset step: t(P a b) = t(P a) ∩ t(P b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (long TidTotal, long DiffTotal) IntersectSiblings(int a, int end, bool keep)
    {
        var parent = _members[a];
        long tidTotal = 0;
        long kept = 0;
        for (var b = a + 1; b < end; b++)
        {
            var sibling = _members[b];
            EnsureArena(Math.Min(parent.Length, sibling.Length));
            var size = TidLists.Intersect(Slice(parent), Slice(sibling), _arena.AsSpan(_arenaTop), _minSupport);
            if (size >= 0)
            {
                Keep(sibling.Rank, size, size, keep);
                tidTotal += size;
                kept++;
            }
        }

        return (tidTotal, (kept * parent.Support) - tidTotal);
    }

    /// <summary>Adds a frequent extension as a member; its list stays in the arena only when it will be extended further.</summary>
    private void Keep(int rank, int support, int size, bool keep)
    {
        if (keep)
        {
            AddMember(rank, support, _arenaTop, size);
            _arenaTop += size;
        }
        else
        {
            AddMember(rank, support, _arenaTop, 0);
        }
    }

    /// <summary>Replaces the tidsets of a class by diffsets against the parent tidset, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ConvertToDiffsets(int first, int count, int[] parentSource, int parentStart, int parentLength, long diffTotal)
    {
        var regionStart = _members[first].Start;
        EnsureArena(diffTotal + parentLength);
        var parent = parentSource.AsSpan(parentStart, parentLength);
        var write = _arenaTop;
        for (var m = first; m < first + count; m++)
        {
            var size = TidLists.Difference(parent, Slice(_members[m]), _arena.AsSpan(write), parentLength);
            _members[m].Start = write;
            _members[m].Length = size;
            write += size;
        }

        // Diffsets total less than the tidsets they replace, so moving them down never overlaps unread data.
        _arena.AsSpan(_arenaTop, write - _arenaTop).CopyTo(_arena.AsSpan(regionStart));
        var shift = _arenaTop - regionStart;
        for (var m = first; m < first + count; m++)
        {
            _members[m].Start -= shift;
        }

        _arenaTop = regionStart + (write - _arenaTop);
    }

    private ReadOnlySpan<int> Slice(Member member) => _arena.AsSpan(member.Start, member.Length);

    private void AddMember(int rank, int support, int start, int length)
    {
        if (_memberTop == _members.Length)
        {
            Array.Resize(ref _members, _members.Length * 2);
        }

        _members[_memberTop++] = new Member { Rank = rank, Support = support, Start = start, Length = length };
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

    /// <summary>Keeps only frequent items, as ranks sorted descending; transactions left empty are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Rows, int[] Offsets) Recode(TransactionDatabase database, int[] rankOf)
    {
        var items = database.Items;
        var offsets = database.Offsets;
        var rows = new int[items.Length];
        var rowOffsets = new int[database.Count + 1];
        int length = 0, count = 0;
        for (var t = 0; t < database.Count; t++)
        {
            var start = length;
            for (var q = offsets[t]; q < offsets[t + 1]; q++)
            {
                var rank = rankOf[items[q]];
                if (rank >= 0)
                {
                    rows[length++] = rank;
                }
            }

            if (length > start)
            {
                var row = rows.AsSpan(start, length - start);
                SmallSort.Sort(row);
                row.Reverse();
                rowOffsets[++count] = length;
            }
        }

        return (rows.AsSpan(0, length).ToArray(), rowOffsets.AsSpan(0, count + 1).ToArray());
    }

    /// <summary>Builds per-rank tid lists (row starts, ascending) with the position of the rank inside each row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Tids, int[] Positions, int[] Offsets) Transpose(int[] rows, int[] rowOffsets, int[] rankSupport)
    {
        var offsets = new int[rankSupport.Length + 1];
        for (var r = 0; r < rankSupport.Length; r++)
        {
            offsets[r + 1] = offsets[r] + rankSupport[r];
        }

        var fill = offsets.AsSpan(0, rankSupport.Length).ToArray();
        var tids = new int[rows.Length];
        var positions = new int[rows.Length];
        for (var t = 0; t + 1 < rowOffsets.Length; t++)
        {
            int start = rowOffsets[t], end = rowOffsets[t + 1];
            for (var q = start; q < end; q++)
            {
                var slot = fill[rows[q]]++;
                tids[slot] = start;
                positions[slot] = q;
            }
        }

        return (tids, positions, offsets);
    }
}
