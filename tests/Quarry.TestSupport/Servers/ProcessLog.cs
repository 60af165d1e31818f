using System.Diagnostics;
using System.Text;

namespace Quarry.TestSupport.Servers;

/// <summary>Keeps the last lines a server printed, to explain a failed start.</summary>
internal sealed class ProcessLog
{
    private const int MaxLines = 200;
    private readonly Queue<string> _lines = new();

    /// <summary>Drains both output streams of a started process (with redirected output) into this log.</summary>
    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public override string ToString()
    {
        lock (_lines)
        {
            var text = new StringBuilder();
            foreach (var line in _lines)
            {
                text.AppendLine(line);
            }

            return text.ToString();
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
