namespace Quarry.Learn.Tabular;

/// <summary>Rows of numeric features with a 0/1 label.</summary>
public sealed record TabularData(float[][] Features, int[] Labels)
{
    /// <summary>Number of rows.</summary>
    public int Rows => Labels.Length;

    /// <summary>Number of feature columns (0 when there are no rows).</summary>
    public int Columns => Features.Length == 0 ? 0 : Features[0].Length;
}
