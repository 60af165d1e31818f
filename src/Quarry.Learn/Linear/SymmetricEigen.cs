namespace Quarry.Learn.Linear;

/// <summary>Eigendecomposition of a small dense symmetric matrix in float64 (Householder tridiagonalisation, then implicit QL).</summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the n×n row-major symmetric <paramref name="matrix"/> (only its lower triangle is read) as V·diag(values)·Vᵀ:
    /// <paramref name="values"/> in descending order and the matching unit eigenvectors as the columns of the n×n row-major
    /// <paramref name="vectors"/>. About 9n³ flops; meant for the small projected problems of <see cref="SubspaceIteration"/>.
    /// </summary>
    public static void Decompose(ReadOnlySpan<double> matrix, int n, Span<double> values, Span<double> vectors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length < n * n || vectors.Length < n * n || values.Length < n)
        {
            throw new ArgumentException($"matrix and vectors need {n}×{n} elements and values {n}");
        }

        if (n == 0)
        {
            return;
        }

        var v = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                v[i * n + j] = matrix[i * n + j];
                v[j * n + i] = matrix[i * n + j];
            }
        }

        var d = new double[n];
        var e = new double[n];
        Tridiagonalize(v, n, d, e);
        Diagonalize(v, n, d, e);

        var order = Enumerable.Range(0, n).OrderByDescending(i => d[i]).ThenBy(i => i).ToArray();
        for (var c = 0; c < n; c++)
        {
            values[c] = d[order[c]];
            for (var r = 0; r < n; r++)
            {
                vectors[r * n + c] = v[r * n + order[c]];
            }
        }
    }

    /// <summary>
    /// Householder reduction to tridiagonal form (the Algol tred2 procedure of Wilkinson and Reinsch, as in JAMA):
    /// on return d is the diagonal, e[1..] the subdiagonal and v the accumulated orthogonal transformation.
    /// </summary>
    private static void Tridiagonalize(double[] v, int n, double[] d, double[] e)
    {
        for (var j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
        }

        for (var i = n - 1; i > 0; i--)
        {
            var scale = 0.0;
            var h = 0.0;
            for (var k = 0; k < i; k++)
            {
                scale += Math.Abs(d[k]);
            }

            if (scale == 0.0)
            {
                e[i] = d[i - 1];
                for (var j = 0; j < i; j++)
                {
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0.0;
                    v[j * n + i] = 0.0;
                }
            }
            else
            {
                for (var k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }

                var f = d[i - 1];
                var g = f > 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (var j = 0; j < i; j++)
                {
                    e[j] = 0.0;
                }

                for (var j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j * n + i] = f;
                    g = e[j] + (v[j * n + j] * f);
                    for (var k = j + 1; k <= i - 1; k++)
                    {
                        g += v[k * n + j] * d[k];
                        e[k] += v[k * n + j] * f;
                    }

                    e[j] = g;
                }

                f = 0.0;
                for (var j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }

                var hh = f / (h + h);
                for (var j = 0; j < i; j++)
                {
                    e[j] -= hh * d[j];
                }

                for (var j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    for (var k = j; k <= i - 1; k++)
                    {
                        v[k * n + j] -= (f * e[k]) + (g * d[k]);
                    }

                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0.0;
                }
            }

            d[i] = h;
        }

        for (var i = 0; i < n - 1; i++)
        {
            v[(n - 1) * n + i] = v[i * n + i];
            v[i * n + i] = 1.0;
            var h = d[i + 1];
            if (h != 0.0)
            {
                for (var k = 0; k <= i; k++)
                {
                    d[k] = v[k * n + i + 1] / h;
                }

                for (var j = 0; j <= i; j++)
                {
                    var g = 0.0;
                    for (var k = 0; k <= i; k++)
                    {
                        g += v[k * n + i + 1] * v[k * n + j];
                    }

                    for (var k = 0; k <= i; k++)
                    {
                        v[k * n + j] -= g * d[k];
                    }
                }
            }

            for (var k = 0; k <= i; k++)
            {
                v[k * n + i + 1] = 0.0;
            }
        }

        for (var j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
            v[(n - 1) * n + j] = 0.0;
        }

        v[(n - 1) * n + n - 1] = 1.0;
        e[0] = 0.0;
    }

    /// <summary>Implicit QL iterations on the tridiagonal (the Algol tql2 procedure), rotating the columns of v along.</summary>
    private static void Diagonalize(double[] v, int n, double[] d, double[] e)
    {
        for (var i = 1; i < n; i++)
        {
            e[i - 1] = e[i];
        }

        e[n - 1] = 0.0;
        var f = 0.0;
        var largest = 0.0;
        var eps = Math.Pow(2.0, -52.0);
        for (var l = 0; l < n; l++)
        {
            largest = Math.Max(largest, Math.Abs(d[l]) + Math.Abs(e[l]));
            var m = l;
            while (m < n - 1 && Math.Abs(e[m]) > eps * largest)
            {
                m++;
            }

            if (m > l)
            {
                for (var iteration = 0; ; iteration++)
                {
                    if (iteration > 30 * n)
                    {
                        throw new ArithmeticException("QL iteration did not converge");
                    }

                    var g = d[l];
                    var p = (d[l + 1] - g) / (2.0 * e[l]);
                    var r = Hypot(p, 1.0);
                    if (p < 0)
                    {
                        r = -r;
                    }

                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    var dl1 = d[l + 1];
                    var h = g - d[l];
                    for (var i = l + 2; i < n; i++)
                    {
                        d[i] -= h;
                    }

                    f += h;
                    p = d[m];
                    var c = 1.0;
                    var c2 = c;
                    var c3 = c;
                    var el1 = e[l + 1];
                    var s = 0.0;
                    var s2 = 0.0;
                    for (var i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = (c * d[i]) - (s * g);
                        d[i + 1] = h + (s * ((c * g) + (s * d[i])));
                        for (var k = 0; k < n; k++)
                        {
                            h = v[k * n + i + 1];
                            v[k * n + i + 1] = (s * v[k * n + i]) + (c * h);
                            v[k * n + i] = (c * v[k * n + i]) - (s * h);
                        }
                    }

                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                    if (!(Math.Abs(e[l]) > eps * largest))
                    {
                        break;
                    }
                }
            }

            d[l] += f;
            e[l] = 0.0;
        }
    }

    private static double Hypot(double a, double b)
    {
        var (x, y) = (Math.Abs(a), Math.Abs(b));
        if (x < y)
        {
            (x, y) = (y, x);
        }

        if (x == 0)
        {
            return 0;
        }

        var t = y / x;
        return x * Math.Sqrt(1 + (t * t));
    }
}
