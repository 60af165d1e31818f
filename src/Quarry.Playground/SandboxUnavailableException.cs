namespace Quarry.Playground;

/// <summary>This host cannot isolate untrusted code, so no sandbox pool was started; the message says what is missing.</summary>
public sealed class SandboxUnavailableException(string message) : InvalidOperationException(message);
