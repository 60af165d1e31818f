using System.Globalization;
using System.Text.RegularExpressions;
using Quarry.Vision.Training;

namespace Quarry.Vision.Service.Kubernetes;

/// <summary>Reads progress and accuracy from the standard output of <c>quarry classify</c> (the original script's lines).</summary>
internal static partial class ClassifyLog
{
    /// <summary>The progress the log shows, or null when it has no step line yet; <paramref name="accuracy"/> is the accuracy line's fraction.</summary>
    public static ClassifyProgress? Parse(string log, bool finished, out double? accuracy)
    {
        ArgumentNullException.ThrowIfNull(log);
        accuracy = null;
        var curve = new List<float[]>();
        int epoch = 0, epochs = 0, step = 0, steps = 0;
        float? loss = null;
        foreach (var range in log.AsSpan().Split('\n'))
        {
            var line = log.AsSpan(range).TrimEnd('\r');
            var stepMatch = StepLine().Match(line.ToString());
            if (stepMatch.Success)
            {
                epoch = Int(stepMatch.Groups[1].Value);
                epochs = Int(stepMatch.Groups[2].Value);
                step = Int(stepMatch.Groups[3].Value);
                steps = Int(stepMatch.Groups[4].Value);
                loss = float.Parse(stepMatch.Groups[5].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
                curve.Add([(float)((long)(epoch - 1) * steps + step), loss.Value]);
                continue;
            }

            var accuracyMatch = AccuracyLine().Match(line.ToString());
            if (accuracyMatch.Success)
            {
                accuracy = double.Parse(accuracyMatch.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture) / 100.0;
            }
        }

        if (curve.Count == 0 && accuracy is null)
        {
            return null;
        }

        var total = (double)epochs * steps;
        var fraction = finished ? 1.0 : total > 0 ? Math.Clamp(((epoch - 1) * (double)steps + step) / total, 0, 1) : 0;
        var state = accuracy is not null ? "succeeded" : finished ? "failed" : "running";
        return new ClassifyProgress(state, epoch, epochs, step, steps, loss, fraction, curve, accuracy);
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Epoch \[(\d+)/(\d+)\], Step \[(\d+)/(\d+)\], Loss: ([0-9.eE+-]+|nan|inf)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^Accuracy of the network on the 10K test images: ([0-9.]+) ?%\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex AccuracyLine();
}
