using System.Diagnostics;
using Quarry.Playlists.Training;

namespace Quarry.Cli;

/// <summary>Shows training progress on stderr: a live line on a terminal, one line per stage when redirected.</summary>
internal sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    private const int BarWidth = 24;
    private readonly TextWriter _out = Console.Error;
    private readonly bool _live = !Console.IsErrorRedirected;
    private readonly Lock _gate = new();
    private string? _stage;
    private long _lastDraw;

    public void Report(TrainingProgress value)
    {
        lock (_gate)
        {
            var stageChanged = value.Stage != _stage;
            if (!_live)
            {
                if (stageChanged)
                {
                    _out.WriteLine($"[{value.Stage}] {value.Detail}");
                }

                _stage = value.Stage;
                return;
            }

            // Redraw at most ten times a second, but always on a new stage.
            if (!stageChanged && Stopwatch.GetElapsedTime(_lastDraw).TotalMilliseconds < 100)
            {
                return;
            }

            if (stageChanged && _stage is not null)
            {
                _out.WriteLine();
            }

            _stage = value.Stage;
            _lastDraw = Stopwatch.GetTimestamp();
            var bar = value.Fraction is { } f
                ? "[" + new string('#', (int)(Math.Clamp(f, 0, 1) * BarWidth)).PadRight(BarWidth, '.') + $"] {f,6:P0}"
                : "";
            _out.Write($"\r{value.Stage,-8} {bar} {value.Detail}".PadRight(Math.Max(20, Console.WindowWidth - 1))[..Math.Max(20, Console.WindowWidth - 1)]);
        }
    }

    public void Done()
    {
        lock (_gate)
        {
            if (_live && _stage is not null)
            {
                _out.WriteLine();
            }
        }
    }
}
