using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Quarry.Core.Artifacts;
using Quarry.Core.Hosting;
using Quarry.Learn.Neural;
using Quarry.Vision.Imaging;
using Quarry.Vision.Model;

namespace Quarry.Vision.Service;

/// <summary><c>POST /api/vision/predict</c>: the digit in a 28×28 image, from the newest MNIST model (hot-swapped).</summary>
public static class VisionPredictionApi
{
    private const string Expected = "{\"pixels\": [784 numbers from 0 (background) to 255 (ink)]} or a 28×28 PNG";

    /// <summary>The model that answered.</summary>
    public sealed record ModelInfo(string Model, string Dataset, double Accuracy, string ModelDate);

    /// <summary>The predicted digit and the probability of each of the ten.</summary>
    public sealed record Prediction(int Digit, float[] Probabilities, ModelInfo Model);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapVisionPredictionApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/vision/predict", PredictAsync).WithTags("Vision").WithName("PredictDigit")
            .WithSummary("The digit in a 28×28 image (784 numbers 0–255 as {\"pixels\": [...]}, or a PNG body) with the ten probabilities, from the newest MNIST model.");
        return endpoints;
    }

    internal static async Task<Results<Ok<Prediction>, ProblemHttpResult>> PredictAsync(
        HttpRequest request, ModelSwap<DigitModel> models, HttpResponse response, CancellationToken cancellationToken)
    {
        float[] pixels;
        var pngType = request.ContentType?.StartsWith("image/png", StringComparison.OrdinalIgnoreCase) == true;
        if (pngType || await StartsWithPngAsync(request, cancellationToken))
        {
            var body = await RequestBody.ReadAsync(request, cancellationToken);
            try
            {
                var (width, height, grey) = PngDecoder.Decode(body.Span);
                if (width != ImageNetwork.Side || height != ImageNetwork.Side)
                {
                    return Invalid($"The image is {width}×{height}; it must be {ImageNetwork.Side}×{ImageNetwork.Side}.");
                }

                pixels = [.. grey.Select(v => (float)v)];
            }
            catch (InvalidDataException e)
            {
                return Invalid($"The PNG cannot be read: {e.Message}.");
            }
        }
        else
        {
            var (document, problem) = await JsonRequest.ReadObjectAsync(request, Expected, cancellationToken);
            if (document is null)
            {
                return Invalid(problem!);
            }

            using (document)
            {
                if (Pixels(document.RootElement, out pixels) is { } wrong)
                {
                    return Invalid(wrong);
                }
            }
        }

        if (models.Current is not { } current)
        {
            return Unavailable.Problem(request.HttpContext, "No digit model yet",
                "No MNIST model has been trained yet: start one with POST /img-classification/free or /premium and {\"dataset\": \"mnist\"}.", 10);
        }

        var probabilities = new float[ImageNetwork.Classes];
        var digit = current.Model.Network.Predict(pixels, probabilities);
        return TypedResults.Ok(new Prediction(digit, probabilities,
            new ModelInfo(current.Model.ModelName, current.Model.Dataset, current.Model.Accuracy, current.Publication.ModelDate)));
    }

    private static string? Pixels(JsonElement root, out float[] pixels)
    {
        pixels = [];
        if (!(root.TryGetProperty("pixels", out var array) || root.TryGetProperty("image", out array)) || array.ValueKind != JsonValueKind.Array)
        {
            return $"'pixels' must be an array: {Expected}.";
        }

        var count = array.GetArrayLength();
        if (count != ImageNetwork.Pixels)
        {
            return $"An image is {ImageNetwork.Side}×{ImageNetwork.Side} = {ImageNetwork.Pixels} numbers; got {count}.";
        }

        pixels = new float[count];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number is < 0 or > 255)
            {
                return $"Pixel {i} must be a number from 0 to 255; got {Clip(value.GetRawText())}.";
            }

            pixels[i++] = (float)number;
        }

        return null;
    }

    private static async Task<bool> StartsWithPngAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var result = await request.BodyReader.ReadAtLeastAsync(8, cancellationToken);
        var png = PngDecoder.IsPng(result.Buffer.IsSingleSegment ? result.Buffer.FirstSpan : System.Buffers.BuffersExtensions.ToArray(result.Buffer));
        request.BodyReader.AdvanceTo(result.Buffer.Start);
        return png;
    }

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid image");

    private static string Clip(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
