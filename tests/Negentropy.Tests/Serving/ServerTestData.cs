using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using SkiaSharp;

namespace Negentropy.Tests.Serving;

/// <summary>Request bodies and PNG encoding for the server tests.</summary>
public static class ServerTestData
{
    /// <summary>{"inputs": [{"pixels": [...]}, ...]} for the given images.</summary>
    public static JsonObject PixelsBody(IEnumerable<byte[]> images) => new()
    {
        ["inputs"] = new JsonArray(images.Select(pixels => (JsonNode)new JsonObject
        {
            ["pixels"] = new JsonArray(pixels.Select(p => (JsonNode)JsonValue.Create((int)p)).ToArray()),
        }).ToArray()),
    };

    /// <summary>{"inputs": [{"image": base64}, ...]}.</summary>
    public static JsonObject ImageBody(IEnumerable<byte[]> encodedImages) => new()
    {
        ["inputs"] = new JsonArray(encodedImages.Select(bytes => (JsonNode)new JsonObject { ["image"] = Convert.ToBase64String(bytes) }).ToArray()),
    };

    /// <summary>Encodes 28×28 gray pixels as a PNG or JPEG file.</summary>
    public static byte[] Encode(byte[] pixels, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int size = 28)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
        pixels.CopyTo(bitmap.GetPixelSpan());
        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData data = image.Encode(format, 95);
        return data.ToArray();
    }

    public static async Task<(int Status, JsonNode? Body)> PostAsync(HttpClient client, string body, string path = "/v1/predict", string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using HttpResponseMessage response = await client.PostAsync(path, content);
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static Task<(int Status, JsonNode? Body)> PostAsync(HttpClient client, JsonNode body, string path = "/v1/predict") =>
        PostAsync(client, body.ToJsonString(), path);
}
