using System.Buffers;
using System.Text;

namespace Quarry.Core.Datasets;

/// <summary>Streaming RFC 4180 CSV reader: one row at a time, quoted fields, any line ending.</summary>
public sealed class CsvReader : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private static readonly SearchValues<char> s_unquotedStops = SearchValues.Create(",\"\r\n");

    private readonly TextReader _reader;
    private readonly bool _leaveOpen;
    private readonly char[] _buffer = new char[BufferSize];
    private char[] _field = new char[256];
    private int _fieldLength;
    private int _pos;
    private int _length;
    private bool _started;
    private bool _eof;
    private bool _previousWasCr;
    private long _physicalLine = 1;

    /// <summary>Reads from <paramref name="reader"/>; disposes it unless <paramref name="leaveOpen"/>.</summary>
    public CsvReader(TextReader reader, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Reads UTF-8 (a byte order mark is skipped) from <paramref name="stream"/>.</summary>
    public CsvReader(Stream stream, bool leaveOpen = false)
        : this(new StreamReader(stream ?? throw new ArgumentNullException(nameof(stream)), new UTF8Encoding(false), true, BufferSize, leaveOpen))
    {
    }

    /// <summary>1-based physical line on which the row last returned by <see cref="TryReadRow"/> starts.</summary>
    public long Line { get; private set; }

    /// <summary>Opens a file for sequential reading.</summary>
    public static CsvReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        return new CsvReader(stream);
    }

    /// <summary>Reads the next non-blank row into <paramref name="fields"/> (cleared first); false at end of input.</summary>
    /// <exception cref="InvalidDataException">The input is not valid CSV; the message names the line.</exception>
    public bool TryReadRow(List<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        if (!SkipBlankLines())
        {
            return false;
        }

        Line = _physicalLine;
        while (!ReadField(fields))
        {
        }

        return true;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _reader.Dispose();
        }
    }

    private bool SkipBlankLines()
    {
        while (Fill())
        {
            var c = _buffer[_pos];
            if (c is not ('\r' or '\n'))
            {
                return true;
            }

            ConsumeLineEnd();
        }

        return false;
    }

    // Reads one field and the separator after it; true when that separator ended the row.
    private bool ReadField(List<string> fields)
    {
        _fieldLength = 0;
        if (!Fill())
        {
            fields.Add(string.Empty);
            return true;
        }

        return _buffer[_pos] == '"' ? ReadQuoted(fields) : ReadUnquoted(fields);
    }

    private bool ReadUnquoted(List<string> fields)
    {
        while (Fill())
        {
            var span = _buffer.AsSpan(_pos, _length - _pos);
            var stop = span.IndexOfAny(s_unquotedStops);
            if (stop < 0)
            {
                Append(span);
                _pos = _length;
                continue;
            }

            Append(span[..stop]);
            _pos += stop;
            switch (_buffer[_pos])
            {
                case ',':
                    _pos++;
                    fields.Add(TakeField());
                    return false;
                case '"':
                    throw new InvalidDataException($"CSV line {_physicalLine}: a quote inside an unquoted field (field {fields.Count + 1}); quote the whole field and double inner quotes.");
                default:
                    ConsumeLineEnd();
                    fields.Add(TakeField());
                    return true;
            }
        }

        fields.Add(TakeField());
        return true;
    }

    private bool ReadQuoted(List<string> fields)
    {
        var startLine = _physicalLine;
        _pos++;
        _previousWasCr = false;
        while (true)
        {
            if (!Fill())
            {
                throw new InvalidDataException($"CSV line {startLine}: the quoted field {fields.Count + 1} is not closed before the end of the input.");
            }

            var span = _buffer.AsSpan(_pos, _length - _pos);
            var quote = span.IndexOf('"');
            if (quote < 0)
            {
                CountLineEnds(span);
                Append(span);
                _pos = _length;
                continue;
            }

            CountLineEnds(span[..quote]);
            Append(span[..quote]);
            _pos += quote + 1;
            _previousWasCr = false;
            if (!Fill())
            {
                fields.Add(TakeField());
                return true;
            }

            switch (_buffer[_pos])
            {
                case '"':
                    Append("\"");
                    _pos++;
                    break;
                case ',':
                    _pos++;
                    fields.Add(TakeField());
                    return false;
                case '\r' or '\n':
                    ConsumeLineEnd();
                    fields.Add(TakeField());
                    return true;
                default:
                    throw new InvalidDataException($"CSV line {_physicalLine}: text after the closing quote of field {fields.Count + 1}; expected a comma or a line end.");
            }
        }
    }

    // Counts CR, LF and CRLF as one line end each, also when CRLF is split across buffer reads.
    private void CountLineEnds(ReadOnlySpan<char> span)
    {
        if (span.IsEmpty)
        {
            return;
        }

        long ends = span.Count('\n') + span.Count('\r') - span.Count("\r\n".AsSpan());
        if (_previousWasCr && span[0] == '\n')
        {
            ends--;
        }

        _physicalLine += ends;
        _previousWasCr = span[^1] == '\r';
    }

    private void ConsumeLineEnd()
    {
        var c = _buffer[_pos++];
        _physicalLine++;
        if (c == '\r' && Fill() && _buffer[_pos] == '\n')
        {
            _pos++;
        }
    }

    private bool Fill()
    {
        if (_pos < _length)
        {
            return true;
        }

        if (_eof)
        {
            return false;
        }

        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        if (_length == 0)
        {
            _eof = true;
            return false;
        }

        if (!_started)
        {
            _started = true;
            if (_buffer[0] == '\uFEFF')
            {
                _pos = 1;
                return Fill();
            }
        }

        return true;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_fieldLength + chars.Length > _field.Length)
        {
            Array.Resize(ref _field, Math.Max(_field.Length * 2, _fieldLength + chars.Length));
        }

        chars.CopyTo(_field.AsSpan(_fieldLength));
        _fieldLength += chars.Length;
    }

    private string TakeField() => _fieldLength == 0 ? string.Empty : new string(_field, 0, _fieldLength);
}
