namespace Quarry.Playground;

/// <summary>Runs untrusted Python source and reports what it printed.</summary>
public interface IPythonEvaluator
{
    Task<EvalResult> EvaluateAsync(string code, CancellationToken ct);
}
