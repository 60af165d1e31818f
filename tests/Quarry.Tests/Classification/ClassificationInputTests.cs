using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Quarry.TestSupport;

namespace Quarry.Tests.Classification;

public sealed class ClassificationInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bad_bodies_get_problem_details_and_never_a_500()
    {
        using var dir = new TempDirectory();
        var (server, client) = await ClassificationServer.StartAsync(ClassificationServer.Environment(dir, train: 200));
        await using var _ = server;
        using var __ = client;

        (string Body, string Detail)[] cases =
        [
            ("", "A JSON body is required"),
            ("dataset=mnist", "not valid JSON"),
            ("[\"mnist\"]", "must be a JSON object"),
            ("\"mnist\"", "must be a JSON object"),
            ("{}", "'dataset' must be a string"),
            ("{\"dataset\": 7}", "'dataset' must be a string"),
            ("{\"dataset\": [\"mnist\"]}", "'dataset' must be a string"),
            ("{\"dataset\": null}", "'dataset' must be a string"),
            ("{\"dataset\": \"cifar10\"}", "Unknown dataset 'cifar10'"),
            ("{\"dataset\": \"" + new string('x', 5000) + "\"}", "Unknown dataset"),
            (new string('[', 100) + new string(']', 100), "not valid JSON"),
        ];
        foreach (var tier in new[] { "free", "premium" })
        {
            foreach (var (body, detail) in cases)
            {
                using var response = await client.PostAsync($"/img-classification/{tier}", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
                await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
            }

            using var invalidUtf8 = await client.PostAsync($"/img-classification/{tier}", new ByteArrayContent([(byte)'{', 0xff, 0xfe, (byte)'}']), Ct);
            await AssertProblemAsync(invalidUtf8, HttpStatusCode.BadRequest, "UTF-8");

            // Like curl with a large upload: announce the body and wait for the server's go-ahead.
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/img-classification/{tier}") { Content = new ByteArrayContent(new byte[5 * 1024 * 1024]) };
            request.Headers.ExpectContinue = true;
            using var huge = await client.SendAsync(request, Ct);
            await AssertProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge, "");
        }

        using var unknown = await client.GetAsync("/api/vision/jobs/not-a-job", Ct);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "No classification job has id not-a-job");
        using var limit = await client.GetAsync("/api/vision/jobs?limit=0", Ct);
        await AssertProblemAsync(limit, HttpStatusCode.BadRequest, "'limit'");
        using var wrongMethod = await client.PutAsync("/img-classification/free", new StringContent("{}"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task Digit_predictions_check_the_image_wait_for_a_model_then_answer_from_it()
    {
        using var dir = new TempDirectory();
        var (server, client) = await ClassificationServer.StartAsync(ClassificationServer.Environment(dir, train: 3000, epochs: 2));
        await using var _ = server;
        using var __ = client;

        (HttpContent Body, string Detail)[] bad =
        [
            (Json(new { pixels = new int[783] }), "784 numbers; got 783"),
            (Json(new { pixels = Enumerable.Repeat(0, 785) }), "got 785"),
            (Json(new { pixels = Enumerable.Repeat<object>("0", 784) }), "Pixel 0 must be a number"),
            (Json(new { pixels = Enumerable.Repeat(0, 783).Append(256) }), "Pixel 783 must be a number from 0 to 255; got 256"),
            (Json(new { pixels = Enumerable.Repeat(-1, 784) }), "Pixel 0"),
            (Json(new { image = "abc" }), "'pixels' must be an array"),
            (Json(new { }), "'pixels' must be an array"),
            (Png(27, 28), "The image is 27×28; it must be 28×28"),
            (Png(280, 280), "The image is 280×280"),
            (new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "The PNG cannot be read"),
        ];
        foreach (var (body, detail) in bad)
        {
            using var response = await client.PostAsync("/api/vision/predict", body, Ct);
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        }

        using (var none = await client.PostAsync("/api/vision/predict", Json(new { pixels = new int[784] }), Ct))
        {
            await AssertProblemAsync(none, HttpStatusCode.ServiceUnavailable, "No MNIST model has been trained yet");
        }

        using var submitted = await client.PostAsync("/img-classification/premium", new StringContent("{\"dataset\":\"mnist\"}"), Ct);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        var job = await ClassificationServer.UntilFinishedAsync(client, id, TimeSpan.FromMinutes(3), Ct);
        Assert.Equal("Succeeded", job.GetProperty("status").GetString());

        // The watcher swaps the new model in; a bright stroke image is then classified with ten probabilities.
        var pixels = new byte[784];
        for (var i = 0; i < 20; i++)
        {
            pixels[((4 + i) * 28) + 14] = 255;
        }

        JsonElement answer = default;
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.PostAsync("/api/vision/predict", Json(new { pixels = pixels.Select(p => (int)p) }), Ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            return true;
        }, TimeSpan.FromSeconds(30), "the trained model to answer");

        var probabilities = answer.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToList();
        Assert.Equal(10, probabilities.Count);
        Assert.Equal(1.0, probabilities.Sum(), 3);
        var digit = answer.GetProperty("digit").GetInt32();
        Assert.Equal(probabilities.Max(), probabilities[digit]);
        Assert.Equal("cnn", answer.GetProperty("model").GetProperty("model").GetString());
        Assert.Equal(job.GetProperty("accuracy").GetDouble(), answer.GetProperty("model").GetProperty("accuracy").GetDouble());

        // The same image as a PNG, with or without its content type, gives the same answer.
        foreach (var contentType in new[] { "image/png", "application/octet-stream" })
        {
            var png = new ByteArrayContent(EncodePng(28, 28, pixels)) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } };
            using var response = await client.PostAsync("/api/vision/predict", png, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var fromPng = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(digit, fromPng.GetProperty("digit").GetInt32());
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static ByteArrayContent Png(int width, int height) =>
        new(EncodePng(width, height, new byte[width * height])) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } };

    /// <summary>An 8-bit greyscale PNG, as a browser's canvas export would carry it (filter 0 rows, zlib, CRCs).</summary>
    private static byte[] EncodePng(int width, int height, byte[] grey)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        Chunk(output, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(grey, y * width, width);
            }
        }

        Chunk(output, "IDAT", compressed.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        output.Write(word);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xffffffffu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
