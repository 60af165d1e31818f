using Quarry.Learn.Tabular;

namespace Quarry.Learn.Tests.Tabular;

public sealed class DiabetesCsvTests
{
    private const string Rows = "6,148,72,35,0,33.6,0.627,50,1\n1,85,66,29,0,26.6,0.351,31,0\n";

    [Fact]
    public void Reads_rows_without_a_header()
    {
        var data = DiabetesCsv.Read(new StringReader(Rows));

        Assert.Equal(2, data.Rows);
        Assert.Equal(8, data.Columns);
        Assert.Equal([1, 0], data.Labels);
        Assert.Equal([6f, 148f, 72f, 35f, 0f, 33.6f, 0.627f, 50f], data.Features[0]);
        Assert.Equal(0.351f, data.Features[1][6]);
    }

    [Fact]
    public void Skips_a_header_row_and_blank_lines()
    {
        var text = "Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Age,Outcome\r\n" + Rows.Replace("\n", "\r\n\r\n", StringComparison.Ordinal);

        var data = DiabetesCsv.Read(new StringReader(text));

        Assert.Equal(2, data.Rows);
        Assert.Equal(148f, data.Features[0][1]);
    }

    [Theory]
    [InlineData("1,85,66,29,0,26.6,0.351,31\n", "line 2: expected 9")]
    [InlineData("1,85,66,29,0,26.6,0.351,31,0,4\n", "line 2: expected 9")]
    [InlineData("1,85,abc,29,0,26.6,0.351,31,0\n", "line 2, column 3 (blood_pressure): 'abc' is not a number")]
    [InlineData("1,85,66,29,0,NaN,0.351,31,0\n", "line 2, column 6 (bmi): 'NaN' is not a finite number")]
    [InlineData("1,85,66,29,0,26.6,Infinity,31,0\n", "line 2, column 7 (diabetes_pedigree): 'Infinity' is not a finite number")]
    [InlineData("1,85,66,29,0,26.6,0.351,1e39,0\n", "line 2, column 8 (age): '1e39' is not a finite number")]
    [InlineData("1,85,66,29,0,26.6,0.351,31,2\n", "line 2, column 9 (outcome): '2' must be 0 or 1")]
    [InlineData("1,85,66,29,0,26.6,0.351,31,0.5\n", "line 2, column 9 (outcome): '0.5' must be 0 or 1")]
    [InlineData("1,85,66,29,0,26.6,0.351,31,yes\n", "line 2, column 9 (outcome): 'yes' is not a number")]
    public void Rejects_bad_rows_naming_line_and_column(string secondLine, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => DiabetesCsv.Read(new StringReader("6,148,72,35,0,33.6,0.627,50,1\n" + secondLine)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_row_with_one_bad_value_is_an_error_not_a_header()
    {
        var error = Assert.Throws<InvalidDataException>(() => DiabetesCsv.Read(new StringReader("6,x,72,35,0,33.6,0.627,50,1\n" + Rows)));

        Assert.StartsWith("line 1, column 2 (glucose)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_only_input_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => DiabetesCsv.Read(new StringReader("a,b,c,d,e,f,g,h,outcome\n")));
    }
}
