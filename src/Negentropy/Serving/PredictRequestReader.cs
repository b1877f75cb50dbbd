using System.Globalization;
using System.Text.Json;
using Negentropy.Reporting;

namespace Negentropy.Serving;

/// <summary>
/// Turns the JSON body of POST /v1/predict into model inputs, or into the first problem found, named by
/// its index. Accepted body: {"inputs": [ {"text": "..."} | {"image": "&lt;base64 PNG or JPEG&gt;"} | {"pixels": [0–255, ...]} ]}.
/// </summary>
public static class PredictRequestReader
{
    /// <summary>Validates the request <paramref name="body"/> against <paramref name="model"/> and prepares each input.</summary>
    public static (IReadOnlyList<ModelInput>? Inputs, InputError? Error) Read(JsonDocument body, ServedModel model, int maxInputs)
    {
        try
        {
            return ReadInputs(body.RootElement, model, maxInputs);
        }
        catch (InvalidOperationException exception) when (exception.Message.Contains("UTF", StringComparison.Ordinal))
        {
            // JsonDocument checks string escapes and UTF-8 only when a string is read.
            return Fail("invalid_unicode", "a field name or string in the body is not valid Unicode (invalid UTF-8, or an unpaired surrogate escape such as \\ud800); send UTF-8 JSON");
        }
    }

    private static (IReadOnlyList<ModelInput>? Inputs, InputError? Error) ReadInputs(JsonElement root, ServedModel model, int maxInputs)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Fail("not_an_object", $"the body is a JSON {JsonFormats.Describe(root.ValueKind)}; send an object {{\"inputs\": [...]}}");
        }
        if (!root.TryGetProperty("inputs", out JsonElement inputs))
        {
            return Fail("missing_inputs", "the body has no \"inputs\" field; send {\"inputs\": [...]} with one entry per input");
        }
        if (inputs.ValueKind != JsonValueKind.Array)
        {
            return Fail("inputs_not_array", $"\"inputs\" is a JSON {JsonFormats.Describe(inputs.ValueKind)}; it must be an array");
        }
        int count = inputs.GetArrayLength();
        if (count == 0)
        {
            return Fail("empty_inputs", "\"inputs\" is empty; send at least one input");
        }
        if (count > maxInputs)
        {
            return Fail("too_many_inputs", Invariant($"\"inputs\" contains {count} inputs, more than the {maxInputs} this server takes per request; split the request or raise --max-inputs"));
        }

        var prepared = new ModelInput[count];
        int index = 0;
        foreach (JsonElement input in inputs.EnumerateArray())
        {
            (ModelInput? one, InputError? error) = ReadOneChecked(input, index, model);
            if (error is not null)
            {
                return (null, error);
            }
            prepared[index++] = one!;
        }
        return (prepared, null);
    }

    private static (ModelInput?, InputError?) ReadOneChecked(JsonElement input, int index, ServedModel model)
    {
        try
        {
            return ReadOne(input, index, model);
        }
        catch (InvalidOperationException exception) when (exception.Message.Contains("UTF", StringComparison.Ordinal))
        {
            return Fail("invalid_unicode", Invariant($"inputs[{index}] has a field name or string that is not valid Unicode (invalid UTF-8, or an unpaired surrogate escape such as \\ud800); send UTF-8 JSON"), index);
        }
    }

    private static (ModelInput?, InputError?) ReadOne(JsonElement input, int index, ServedModel model)
    {
        string at = Invariant($"inputs[{index}]");
        string expected = model.IsText ? "{\"text\": \"...\"}" : "{\"image\": \"<base64 PNG or JPEG>\"} or {\"pixels\": [...]}";
        if (input.ValueKind != JsonValueKind.Object)
        {
            return Fail("bad_input", $"{at} is a JSON {JsonFormats.Describe(input.ValueKind)}; send an object such as {expected}", index);
        }
        string[] kinds = input.EnumerateObject().Select(p => p.Name).ToArray();
        if (kinds.Length != 1 || kinds[0] is not ("text" or "image" or "pixels"))
        {
            return Fail("bad_input", $"{at} has {(kinds.Length == 0 ? "no fields" : "fields " + string.Join(", ", kinds))}; it needs exactly one of \"text\", \"image\" or \"pixels\", here {expected}", index);
        }
        string kind = kinds[0];
        JsonElement value = input.GetProperty(kind);
        if (model.IsText != (kind == "text"))
        {
            string reads = model.IsText ? "text" : "images";
            return Fail("wrong_input_kind", $"{at} is \"{kind}\", but model {model.Name} reads {reads}; send {expected}", index);
        }
        return kind switch
        {
            "text" => ReadText(value, at, index, model),
            "image" => ReadImage(value, at, index, model),
            _ => ReadPixels(value, at, index, model),
        };
    }

    private static (ModelInput?, InputError?) ReadText(JsonElement value, string at, int index, ServedModel model) =>
        value.ValueKind == JsonValueKind.String
            ? (model.PrepareText(value.GetString()!), null)
            : Fail("bad_text", $"{at}.text is a JSON {JsonFormats.Describe(value.ValueKind)}; it must be a string", index);

    private static (ModelInput?, InputError?) ReadImage(JsonElement value, string at, int index, ServedModel model)
    {
        if (value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out byte[]? encoded))
        {
            return Fail("bad_base64", $"{at}.image is not a base64 string; send the PNG or JPEG file's bytes in standard base64", index);
        }
        (ModelInput? input, string? error) = model.PrepareImage(encoded);
        return error is null ? (input, null) : Fail("undecodable_image", $"{at}.image cannot be decoded: {error}; send a PNG or JPEG file", index);
    }

    private static (ModelInput?, InputError?) ReadPixels(JsonElement value, string at, int index, ServedModel model)
    {
        var spec = model.Manifest.Spec;
        string layout = Invariant($"{spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth} (channels, rows, columns)");
        if (value.ValueKind != JsonValueKind.Array)
        {
            return Fail("bad_pixels", $"{at}.pixels is a JSON {JsonFormats.Describe(value.ValueKind)}; send an array of {model.PixelCount} integers 0–255 in the layout {layout}", index);
        }
        int length = value.GetArrayLength();
        if (length != model.PixelCount)
        {
            return Fail("wrong_pixel_count", Invariant($"{at}.pixels has {length} values; model {model.Name} takes {model.PixelCount}, {layout}, row-major"), index);
        }
        var pixels = new byte[length];
        int k = 0;
        foreach (JsonElement pixel in value.EnumerateArray())
        {
            // A whole number written as 255.0 or 1e2 (as float arrays serialize) is accepted.
            if (pixel.ValueKind != JsonValueKind.Number || !pixel.TryGetDouble(out double number) || number is < 0 or > 255 || number != Math.Floor(number))
            {
                return Fail("bad_pixel_value", Invariant($"{at}.pixels[{k}] is {pixel.GetRawText()}; pixels are integers 0–255"), index);
            }
            pixels[k++] = (byte)number;
        }
        return (model.PreparePixels(pixels), null);
    }

    private static (ModelInput?, InputError?) Fail(string reason, string detail, int index) => (null, new InputError(400, reason, detail, index));

    private static (IReadOnlyList<ModelInput>?, InputError?) Fail(string reason, string detail) => (null, new InputError(400, reason, detail));


    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
