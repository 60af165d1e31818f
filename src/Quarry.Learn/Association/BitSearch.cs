using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Quarry.Learn.Association;

/// <summary>
/// Depth-first Eclat for dense data: every tidset is a bit vector over all transactions, so an intersection is one AND and
/// population count per 64 transactions (512 at a time with AVX-512). Perfect extensions leave the class as in <see cref="EclatSearch"/>.
/// </summary>
internal sealed class BitSearch
{
    private readonly int _minSupport;
    private readonly int _maxLength;
    private readonly ItemsetEmitter _emitter;
    private readonly IProgress<double>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly int[] _labels;
    private readonly int[] _rankSupport;

    // Words per bit vector, a multiple of 8 so that vector loops need no tail.
    private readonly int _words;

    // Level one: the vector of rank r at r * _words; deeper classes are stacked in _arena.
    private readonly ulong[] _items;
    private ulong[] _arena;
    private int _arenaTop;
    private Member[] _members = new Member[64];
    private int _memberTop;

    private struct Member
    {
        public int Rank;
        public int Support;
        public int Start;
    }

    public BitSearch(TransactionDatabase database, RankedItems ranked, MiningOptions options, ItemsetEmitter emitter, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        _minSupport = options.MinSupportCount;
        _maxLength = options.MaxLength;
        _emitter = emitter;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _labels = ranked.Labels;
        _rankSupport = ranked.Supports;
        _words = ((database.Count + 511) / 512) * 8;
        _items = BuildVectors(database, ranked.RankOf, ranked.Count, _words);
        _arena = new ulong[Math.Max(_words * 64, 4096)];
    }

    /// <summary>Bit vectors cost one bit per transaction and item, tid lists 32 bits per occurrence: use bits from 1/32 density up.</summary>
    public static bool Suits(TransactionDatabase database, RankedItems ranked) =>
        ranked.Count > 1 && ranked.TotalSupport * 32 >= (long)ranked.Count * database.Count;

    public void Run()
    {
        var reported = -1;
        var n = _labels.Length;
        for (var i = 0; i < n; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _emitter.Push(_labels[i]);
            var count = 0;
            if (_maxLength >= 2 && i + 1 < n)
            {
                var source = _items.AsSpan(i * _words, _words);
                for (var j = i + 1; j < n; j++)
                {
                    count += Extend(source, _items.AsSpan(j * _words, _words), j, _rankSupport[i], _maxLength > 2);
                }
            }

            _emitter.Emit(_rankSupport[i]);
            if (count > 0)
            {
                Expand(0, count, 2);
            }

            _memberTop = 0;
            _arenaTop = 0;
            _emitter.TruncateExtensions(0);
            _emitter.Pop();
            var percent = (int)((i + 1L) * 100 / n);
            if (_progress is not null && percent != reported)
            {
                reported = percent;
                _progress.Report((i + 1.0) / n);
            }
        }
    }

    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Expand(int first, int count, int length)
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
            if (extend)
            {
                for (var b = a + 1; b < end; b++)
                {
                    // Read the spans after any arena growth in the previous step.
                    children += Extend(_arena.AsSpan(parent.Start, _words), _arena.AsSpan(_members[b].Start, _words), _members[b].Rank, parent.Support, keep);
                }
            }

            _emitter.Emit(parent.Support);
            if (children > 0)
            {
                Expand(childFirst, children, length + 1);
            }

            _memberTop = childFirst;
            _arenaTop = childArena;
            _emitter.TruncateExtensions(extensions);
            _emitter.Pop();
        }
    }

    /// <summary>Intersects two vectors into the arena top; a frequent result becomes a member (1 returned) or a perfect extension.</summary>
    private int Extend(ReadOnlySpan<ulong> parent, ReadOnlySpan<ulong> sibling, int rank, int parentSupport, bool keep)
    {
        // The arena always has room for one more vector above its top (grown after each kept one).
        var support = AndCount(parent, sibling, _arena.AsSpan(_arenaTop, _words));
        if (support < _minSupport)
        {
            return 0;
        }

        if (support == parentSupport)
        {
            _emitter.PushExtension(_labels[rank]);
            return 0;
        }

        if (_memberTop == _members.Length)
        {
            Array.Resize(ref _members, _members.Length * 2);
        }

        _members[_memberTop++] = new Member { Rank = rank, Support = support, Start = _arenaTop };
        if (keep)
        {
            _arenaTop += _words;
            if (_arenaTop + _words > _arena.Length)
            {
                Array.Resize(ref _arena, _arena.Length * 2);
            }
        }

        return 1;
    }

    /// <summary>Writes a AND b into <paramref name="destination"/> and returns its population count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int AndCount(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> destination)
    {
        ref var ra = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        ref var rb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        ref var rd = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        var words = Math.Min(a.Length, Math.Min(b.Length, destination.Length));
        var i = 0;
        ulong total = 0;
        if (Avx512BW.IsSupported)
        {
            // .NET exposes no VPOPCNTQ, so count bits per byte with a nibble table (VPSHUFB) and sum bytes per lane (VPSADBW).
            var table = Vector512.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var low = Vector512.Create((byte)0x0F);
            var sum = Vector512<ulong>.Zero;
            for (; i + 8 <= words; i += 8)
            {
                var v = Vector512.LoadUnsafe(ref ra, (nuint)i) & Vector512.LoadUnsafe(ref rb, (nuint)i);
                v.StoreUnsafe(ref rd, (nuint)i);
                var bytes = v.AsByte();
                var counts = Avx512BW.Shuffle(table, bytes & low) + Avx512BW.Shuffle(table, Vector512.ShiftRightLogical(v, 4).AsByte() & low);
                sum += Avx512BW.SumAbsoluteDifferences(counts, Vector512<byte>.Zero).AsUInt64();
            }

            total = Vector512.Sum(sum);
        }
        else if (Avx2.IsSupported)
        {
            var table = Vector256.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var low = Vector256.Create((byte)0x0F);
            var sum = Vector256<ulong>.Zero;
            for (; i + 4 <= words; i += 4)
            {
                var v = Vector256.LoadUnsafe(ref ra, (nuint)i) & Vector256.LoadUnsafe(ref rb, (nuint)i);
                v.StoreUnsafe(ref rd, (nuint)i);
                var counts = Avx2.Shuffle(table, v.AsByte() & low) + Avx2.Shuffle(table, Vector256.ShiftRightLogical(v, 4).AsByte() & low);
                sum += Avx2.SumAbsoluteDifferences(counts, Vector256<byte>.Zero).AsUInt64();
            }

            total = Vector256.Sum(sum);
        }

        for (; i < words; i++)
        {
            var v = Unsafe.Add(ref ra, i) & Unsafe.Add(ref rb, i);
            Unsafe.Add(ref rd, i) = v;
            total += (ulong)BitOperations.PopCount(v);
        }

        return (int)total;
    }

    private static ulong[] BuildVectors(TransactionDatabase database, int[] rankOf, int ranks, int words)
    {
        var vectors = new ulong[(long)ranks * words];
        var items = database.Items;
        var offsets = database.Offsets;
        for (var t = 0; t < database.Count; t++)
        {
            var bit = 1UL << (t & 63);
            var word = t >> 6;
            for (var q = offsets[t]; q < offsets[t + 1]; q++)
            {
                var rank = rankOf[items[q]];
                if (rank >= 0)
                {
                    vectors[((long)rank * words) + word] |= bit;
                }
            }
        }

        return vectors;
    }
}
