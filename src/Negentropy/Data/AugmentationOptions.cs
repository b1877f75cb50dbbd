using System.Globalization;
using System.Text.Json.Serialization;

namespace Negentropy.Data;

/// <summary>
/// On-the-fly training augmentation. A preset fills in every setting; the individual settings override
/// it. Evaluation never augments.
/// </summary>
public sealed record AugmentationOptions
{
    public const string NonePreset = "none";

    /// <summary>The presets by name. "none" turns augmentation off.</summary>
    public static IReadOnlyDictionary<string, AugmentationOptions> Presets { get; } = new Dictionary<string, AugmentationOptions>(StringComparer.Ordinal)
    {
        [NonePreset] = new AugmentationOptions(),
        ["flip-crop"] = new AugmentationOptions { Preset = "flip-crop", HorizontalFlip = true, CropPadding = 2 },
        ["standard"] = new AugmentationOptions { Preset = "standard", HorizontalFlip = true, CropPadding = 2, ErasingProbability = 0.5 },
        ["strong"] = new AugmentationOptions { Preset = "strong", HorizontalFlip = true, CropPadding = 3, RotationDegrees = 10, ErasingProbability = 0.5 },
    };

    public static AugmentationOptions None => Presets[NonePreset];

    /// <summary>The preset these settings started from (default "none").</summary>
    [JsonPropertyName("preset")] public string Preset { get; init; } = NonePreset;

    /// <summary>Random crop after zero padding of this many pixels on each side; 0 is off.</summary>
    [JsonPropertyName("crop_padding")] public int CropPadding { get; init; }

    /// <summary>Mirror left to right with probability 0.5.</summary>
    [JsonPropertyName("hflip")] public bool HorizontalFlip { get; init; }

    /// <summary>Rotate by an angle drawn uniformly from ±this many degrees; 0 is off.</summary>
    [JsonPropertyName("rotation_degrees")] public double RotationDegrees { get; init; }

    /// <summary>Probability of random erasing (Zhong et al., AAAI 2020): a rectangle of 2–33% of the area, aspect 0.3–3.3, set to the channel mean; 0 is off.</summary>
    [JsonPropertyName("erasing_probability")] public double ErasingProbability { get; init; }

    [JsonIgnore] public bool IsEnabled => CropPadding > 0 || HorizontalFlip || RotationDegrees > 0 || ErasingProbability > 0;

    /// <summary>Returns the preset named <paramref name="name"/>.</summary>
    /// <exception cref="UserInputException">No such preset.</exception>
    public static AugmentationOptions FromPreset(string name) =>
        Presets.TryGetValue(name, out AugmentationOptions? preset)
            ? preset
            : throw new UserInputException($"--augment '{name}' is unknown: expected one of {string.Join(", ", Presets.Keys)}");

    /// <summary>Returns every problem with these settings, each naming the option and the accepted range.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Presets.ContainsKey(Preset))
        {
            problems.Add($"--augment '{Preset}' is unknown: expected one of {string.Join(", ", Presets.Keys)}");
        }
        if (CropPadding is < 0 or > 64)
        {
            problems.Add($"--crop-padding {CropPadding} is out of range: expected 0 (off) to 64 pixels");
        }
        if (!(RotationDegrees is >= 0 and <= 180))
        {
            problems.Add($"--rotate {RotationDegrees.ToString(CultureInfo.InvariantCulture)} is out of range: expected 0 (off) to 180 degrees");
        }
        if (!(ErasingProbability is >= 0 and <= 1))
        {
            problems.Add($"--erase {ErasingProbability.ToString(CultureInfo.InvariantCulture)} is out of range: expected a probability from 0 (off) to 1");
        }
        return problems;
    }

    /// <summary>One line for logs, such as "standard: hflip, crop pad 2, erasing p 0.5".</summary>
    public string Describe()
    {
        if (!IsEnabled)
        {
            return "off";
        }
        var parts = new List<string>();
        if (HorizontalFlip)
        {
            parts.Add("hflip");
        }
        if (CropPadding > 0)
        {
            parts.Add(FormattableString.Invariant($"crop pad {CropPadding}"));
        }
        if (RotationDegrees > 0)
        {
            parts.Add(FormattableString.Invariant($"rotate ±{RotationDegrees}°"));
        }
        if (ErasingProbability > 0)
        {
            parts.Add(FormattableString.Invariant($"erasing p {ErasingProbability}"));
        }
        string name = Presets.TryGetValue(Preset, out AugmentationOptions? preset) && preset == this ? Preset : $"{Preset} with overrides";
        return $"{name}: {string.Join(", ", parts)}";
    }
}
