namespace Quarry.Playground;

/// <summary>What one evaluation produced: captured streams (each capped), exit code and how the run ended.</summary>
public sealed record EvalResult(string Stdout, string Stderr, int? ExitCode, bool TimedOut, bool Truncated, double DurationMs);
