using System.Buffers;
using System.Globalization;

namespace Quarry.Core.Datasets;

/// <summary>Writes RFC 4180 CSV rows, quoting only the fields that need it; rows end with LF.</summary>
public sealed class CsvWriter : IDisposable
{
    private static readonly SearchValues<char> s_needsQuotes = SearchValues.Create(",\"\r\n");

    private readonly TextWriter _writer;
    private readonly bool _leaveOpen;
    private bool _rowStarted;

    /// <summary>Writes to <paramref name="writer"/>; disposes it unless <paramref name="leaveOpen"/>.</summary>
    public CsvWriter(TextWriter writer, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Appends a text field to the current row.</summary>
    public void WriteField(ReadOnlySpan<char> value)
    {
        if (_rowStarted)
        {
            _writer.Write(',');
        }

        // An empty first field is quoted so that a one-field row is not read back as a blank line.
        var first = !_rowStarted;
        _rowStarted = true;
        if (value.IndexOfAny(s_needsQuotes) < 0 && !(first && value.IsEmpty))
        {
            _writer.Write(value);
            return;
        }

        _writer.Write('"');
        while (true)
        {
            var quote = value.IndexOf('"');
            if (quote < 0)
            {
                _writer.Write(value);
                break;
            }

            _writer.Write(value[..(quote + 1)]);
            _writer.Write('"');
            value = value[(quote + 1)..];
        }

        _writer.Write('"');
    }

    /// <summary>Appends an integer field (invariant culture) to the current row.</summary>
    public void WriteField(long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        WriteField(digits[..written]);
    }

    /// <summary>Writes a whole row of text fields.</summary>
    public void WriteRow(params ReadOnlySpan<string> fields)
    {
        foreach (var field in fields)
        {
            WriteField(field);
        }

        EndRow();
    }

    /// <summary>Ends the current row.</summary>
    public void EndRow()
    {
        _writer.Write('\n');
        _rowStarted = false;
    }

    public void Dispose()
    {
        if (_leaveOpen)
        {
            _writer.Flush();
        }
        else
        {
            _writer.Dispose();
        }
    }
}
