namespace Quarry.Learn.Linear;

/// <summary>
/// The layout in which <see cref="Sgemm"/> reads a right-hand operand without packing it and can write a product: a
/// rows×columns matrix as column panels of <see cref="Width"/> columns, each panel its rows one after another
/// (<see cref="Width"/> floats a row), the last panel padded with zeros. A layer whose weights stay in this layout between
/// training steps never repacks them.
/// </summary>
public static class PanelLayout
{
    /// <summary>Columns of one panel (a multiple of every micro-kernel's width).</summary>
    public const int Width = 32;

    /// <summary>Floats a rows×columns matrix takes in this layout, padding included.</summary>
    public static int Length(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return checked((columns + Width - 1) / Width * Width * rows);
    }

    /// <summary>Where element (row, column) of a matrix of <paramref name="rows"/> rows lies.</summary>
    public static int IndexOf(int row, int column, int rows) => ((column / Width) * rows * Width) + (row * Width) + (column % Width);

    /// <summary>Copies a row-major rows×columns matrix (leading dimension <paramref name="ld"/>) into <paramref name="panels"/>, zeroing the padding.</summary>
    public static void Pack(ReadOnlySpan<float> matrix, int rows, int columns, int ld, Span<float> panels)
    {
        panels[..Length(rows, columns)].Clear();
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                panels[IndexOf(i, j, rows)] = matrix[(i * ld) + j];
            }
        }
    }

    /// <summary>Copies <paramref name="panels"/> back into a row-major rows×columns matrix with leading dimension <paramref name="ld"/>.</summary>
    public static void Unpack(ReadOnlySpan<float> panels, int rows, int columns, Span<float> matrix, int ld)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                matrix[(i * ld) + j] = panels[IndexOf(i, j, rows)];
            }
        }
    }
}
