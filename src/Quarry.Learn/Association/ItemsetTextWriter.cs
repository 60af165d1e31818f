using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Quarry.Learn.Association;

/// <summary>
/// Writes itemsets as text, one per line: the item labels separated by spaces, then the support count in brackets,
/// e.g. <c>39 48 (7366)</c>. Consecutive itemsets that share leading items reuse their formatted text.
/// </summary>
public sealed class ItemsetTextWriter : IItemsetReceiver, IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _labelText;
    private readonly int[] _labelOffsets;
    private readonly byte[] _output = new byte[1 << 16];
    private int _outputLength;
    private int[] _previous = new int[64];
    private int[] _lineEnds = new int[65];
    private byte[] _line = new byte[1024];
    private int _previousLength;

    /// <summary>Writes to <paramref name="stream"/> (left open); item id i is written as <paramref name="labels"/>[i].</summary>
    public ItemsetTextWriter(Stream stream, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(labels);
        _stream = stream;
        _labelOffsets = new int[labels.Count + 1];
        var text = new StringBuilder();
        for (var i = 0; i < labels.Count; i++)
        {
            text.Append(labels[i].ToString(CultureInfo.InvariantCulture)).Append(' ');
            _labelOffsets[i + 1] = text.Length;
        }

        _labelText = Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>Number of itemsets written.</summary>
    public long Count { get; private set; }

    /// <inheritdoc />
    // Hot loops: compile fully optimised at once rather than after the tiering delay.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Receive(ReadOnlySpan<int> items, int support)
    {
        if (items.Length >= _previous.Length)
        {
            Array.Resize(ref _previous, items.Length * 2);
            Array.Resize(ref _lineEnds, (items.Length * 2) + 1);
        }

        var shared = 0;
        var limit = Math.Min(items.Length, _previousLength);
        while (shared < limit && items[shared] == _previous[shared])
        {
            shared++;
        }

        var end = _lineEnds[shared];
        for (var i = shared; i < items.Length; i++)
        {
            var item = items[i];
            var from = _labelOffsets[item];
            var length = _labelOffsets[item + 1] - from;
            if (end + length > _line.Length)
            {
                Array.Resize(ref _line, (end + length) * 2);
            }

            _labelText.AsSpan(from, length).CopyTo(_line.AsSpan(end));
            end += length;
            _previous[i] = item;
            _lineEnds[i + 1] = end;
        }

        _previousLength = items.Length;
        if (_outputLength + end + 16 > _output.Length)
        {
            Flush();
            if (end + 16 > _output.Length)
            {
                _stream.Write(_line, 0, end);
                end = 0;
            }
        }

        _line.AsSpan(0, end).CopyTo(_output.AsSpan(_outputLength));
        _outputLength += end;
        _output[_outputLength++] = (byte)'(';
        Utf8Formatter.TryFormat(support, _output.AsSpan(_outputLength), out var written);
        _outputLength += written;
        _output[_outputLength++] = (byte)')';
        _output[_outputLength++] = (byte)'\n';
        Count++;
    }

    /// <summary>Writes buffered lines to the stream.</summary>
    public void Flush()
    {
        _stream.Write(_output, 0, _outputLength);
        _outputLength = 0;
    }

    /// <summary>Flushes; the stream stays open.</summary>
    public void Dispose() => Flush();
}
