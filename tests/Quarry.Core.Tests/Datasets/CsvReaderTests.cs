using System.Text;
using Quarry.Core.Datasets;

namespace Quarry.Core.Tests.Datasets;

public sealed class CsvReaderTests
{
    [Fact]
    public void Reads_plain_rows()
    {
        Assert.Equal([["a", "b", "c"], ["1", "2", "3"]], ReadAll("a,b,c\n1,2,3\n"));
    }

    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_newlines()
    {
        var rows = ReadAll("\"Earth, Wind\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"lf\nonly\"\nnext,row\n");

        Assert.Equal([["Earth, Wind", "say \"hi\"", "two\r\nlines", "lf\nonly"], ["next", "row"]], rows);
    }

    [Theory]
    [InlineData("a,b\r\nc,d\r\n")]
    [InlineData("a,b\nc,d\n")]
    [InlineData("a,b\rc,d\r")]
    [InlineData("a,b\r\nc,d")]
    [InlineData("a,b\n\n\r\n\rc,d\n\n")]
    public void Any_line_end_a_missing_final_newline_and_blank_lines(string csv)
    {
        Assert.Equal([["a", "b"], ["c", "d"]], ReadAll(csv));
    }

    [Fact]
    public void Empty_fields_are_kept()
    {
        Assert.Equal([["", "x", ""], ["", ""], [""]], ReadAll(",x,\n,\n\"\"\n"));
    }

    [Fact]
    public void A_quoted_field_ending_the_input_is_read()
    {
        Assert.Equal([["a", "b c"]], ReadAll("a,\"b c\""));
    }

    [Fact]
    public void Line_is_the_physical_line_where_the_row_starts()
    {
        using var reader = new CsvReader(new StringReader("h1,h2\n\n\"multi\nline\r\nfield\",x\r\nlast,row\rcr,row\n"));
        var fields = new List<string>();
        var lines = new List<long>();
        while (reader.TryReadRow(fields))
        {
            lines.Add(reader.Line);
        }

        Assert.Equal([1L, 3L, 6L, 7L], lines);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_skipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("pid,name\n1,Café\n")).ToArray();
        using var reader = new CsvReader(new MemoryStream(bytes));
        var fields = new List<string>();

        Assert.True(reader.TryReadRow(fields));
        Assert.Equal(["pid", "name"], fields);
        Assert.True(reader.TryReadRow(fields));
        Assert.Equal(["1", "Café"], fields);
        Assert.False(reader.TryReadRow(fields));
    }

    [Fact]
    public void A_byte_order_mark_left_in_text_is_skipped()
    {
        Assert.Equal([["pid", "name"]], ReadAll("\uFEFFpid,name\n"));
    }

    [Theory]
    [InlineData("a,b\nc,d\"e\n", 2, "quote inside an unquoted field")]
    [InlineData("a,b\n\"c\"x,d\n", 2, "after the closing quote")]
    [InlineData("a,b\nc,\"open\nstill open\n", 2, "not closed")]
    [InlineData("a\r\n\r\n\"x\ny\"\r\nz\"\n", 5, "quote inside an unquoted field")]
    public void Malformed_input_names_the_line(string csv, int line, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => ReadAll(csv));

        Assert.Contains($"line {line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_longer_than_the_buffer_and_split_across_reads_are_whole()
    {
        var longText = new string('x', 200_000);
        var csv = $"{longText},\"{longText.Replace("x", "\"\"", StringComparison.Ordinal)}\"\r\nend\r\n";

        var rows = ReadAll(csv, chunk: 4093);

        Assert.Equal(longText, rows[0][0]);
        Assert.Equal(new string('"', 200_000), rows[0][1]);
        Assert.Equal(["end"], rows[1]);
    }

    [Fact]
    public void A_crlf_split_between_reads_inside_quotes_counts_as_one_line()
    {
        var csv = "\"a\r\nb\",c\nnext\n";
        using var reader = new CsvReader(new ChunkedReader(csv, 3));
        var fields = new List<string>();

        Assert.True(reader.TryReadRow(fields));
        Assert.Equal(["a\r\nb", "c"], fields);
        Assert.True(reader.TryReadRow(fields));
        Assert.Equal(3, reader.Line);
    }

    [Fact]
    public void Reads_back_what_the_writer_wrote()
    {
        string[][] rows = [["", "plain", "with, comma", "say \"hi\"", "two\nlines", "cr\rhere"], [""], ["x"]];
        var text = new StringWriter();
        using (var writer = new CsvWriter(text, leaveOpen: true))
        {
            foreach (var row in rows)
            {
                writer.WriteRow(row);
            }
        }

        Assert.Equal(rows, ReadAll(text.ToString()));
    }

    private static List<string[]> ReadAll(string csv, int? chunk = null)
    {
        using var reader = new CsvReader(chunk is { } size ? new ChunkedReader(csv, size) : new StringReader(csv));
        var rows = new List<string[]>();
        var fields = new List<string>();
        while (reader.TryReadRow(fields))
        {
            rows.Add([.. fields]);
        }

        return rows;
    }

    /// <summary>Hands out at most <c>size</c> chars per read, to split tokens across buffer fills.</summary>
    private sealed class ChunkedReader(string text, int size) : TextReader
    {
        private int _pos;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, size), text.Length - _pos);
            text.CopyTo(_pos, buffer, index, n);
            _pos += n;
            return n;
        }
    }
}
