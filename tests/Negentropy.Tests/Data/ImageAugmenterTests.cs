using Negentropy.Data;
using Negentropy.Tests.Cli;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Negentropy.Tests.Data;

public sealed class ImageAugmenterTests : IDisposable
{
    private const int Batch = 8;
    private const int Channels = 2;
    private const int Height = 12;
    private const int Width = 10;

    // Black (pixel 0) normalizes to (0 - 0.5) / 0.25 = -2 in channel 0 and (0 - 0.2) / 0.5 = -0.4 in channel 1.
    private static readonly ChannelNormalization Normalization = new(new[] { 0.5, 0.2 }, new[] { 0.25, 0.5 });
    private static readonly float[] BlackLevel = { -2f, -0.4f };

    private readonly TemporaryFolder folder = new();

    public ImageAugmenterTests() => TorchRuntime.EnsureLoaded();

    public void Dispose() => folder.Dispose();

    // Values in [0.5, 1.5), so none is 0 or a black level.
    private static float[] RandomValues(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Batch * Channels * Height * Width).Select(_ => 0.5f + (float)random.NextDouble()).ToArray();
    }

    private static Tensor Images(float[] values) => tensor(values, new long[] { Batch, Channels, Height, Width });

    private static float[] Augment(AugmentationOptions options, float[] input, Random random)
    {
        using var scope = NewDisposeScope();
        Tensor output = new ImageAugmenter(options, Normalization).Apply(Images(input), random);
        Assert.Equal(new long[] { Batch, Channels, Height, Width }, output.shape);
        return output.data<float>().ToArray();
    }

    private static float At(float[] values, int image, int channel, int y, int x) =>
        values[(((image * Channels) + channel) * Height + y) * Width + x];

    [Theory]
    [InlineData("flip-crop")]
    [InlineData("standard")]
    [InlineData("strong")]
    public void SameRandom_GivesSameOutput(string preset)
    {
        AugmentationOptions options = AugmentationOptions.FromPreset(preset);
        float[] input = RandomValues(1);

        float[] first = Augment(options, input, ImageAugmenter.BatchRandom(42, 1, 5));
        float[] again = Augment(options, input, ImageAugmenter.BatchRandom(42, 1, 5));
        float[] nextStep = Augment(options, input, ImageAugmenter.BatchRandom(42, 1, 6));

        Assert.Equal(first, again);
        Assert.NotEqual(first, nextStep);
        Assert.NotEqual(input, first);
    }

    [Fact]
    public void None_ReturnsEqualValues()
    {
        float[] input = RandomValues(2);

        float[] output = Augment(AugmentationOptions.None, input, new Random(1));

        Assert.Equal(input, output);
    }

    [Fact]
    public void HorizontalFlip_MirrorsExactly()
    {
        var options = new AugmentationOptions { HorizontalFlip = true };
        float[] input = RandomValues(3);
        // With flip only, each image draws one number and is mirrored when it is below 0.5.
        int seed = Enumerable.Range(0, 1000).First(s => new Random(s).NextDouble() < 0.5);
        var draws = new Random(seed);
        bool[] flipped = Enumerable.Range(0, Batch).Select(_ => draws.NextDouble() < 0.5).ToArray();
        Assert.True(flipped[0], $"seed {seed} should flip image 0");
        Assert.Contains(false, flipped);

        float[] output = Augment(options, input, new Random(seed));
        float[] mirrored;
        using (Tensor images = Images(input))
        using (Tensor flip = images.flip(3))
        {
            mirrored = flip.data<float>().ToArray();
        }

        int imageSize = Channels * Height * Width;
        for (int b = 0; b < Batch; b++)
        {
            float[] expected = (flipped[b] ? mirrored : input)[(b * imageSize)..((b + 1) * imageSize)];
            float[] actual = output[(b * imageSize)..((b + 1) * imageSize)];
            for (int i = 0; i < imageSize; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"image {b} (flipped {flipped[b]}) value {i}: expected {expected[i]}, got {actual[i]}");
            }
        }
    }

    [Fact]
    public void Crop_IsIntegerShiftWithBlackFill()
    {
        const int padding = 2;
        var options = new AugmentationOptions { CropPadding = padding };
        float[] input = RandomValues(4);

        float[] output = Augment(options, input, new Random(7));

        int shifted = 0;
        for (int b = 0; b < Batch; b++)
        {
            (int Dx, int Dy)? match = null;
            for (int dy = -padding; dy <= padding && match is null; dy++)
            {
                for (int dx = -padding; dx <= padding && match is null; dx++)
                {
                    if (IsShift(input, output, b, dx, dy))
                    {
                        match = (dx, dy);
                    }
                }
            }
            Assert.True(match is not null, $"image {b} is not an integer shift of at most {padding} pixels of its input");
            shifted += match != (0, 0) ? 1 : 0;
        }
        Assert.True(shifted > 0, "no image of the batch was shifted");
    }

    // True when output(x, y) = input(x + dx, y + dy), with the channel's black level outside the input.
    private static bool IsShift(float[] input, float[] output, int image, int dx, int dy)
    {
        for (int c = 0; c < Channels; c++)
        {
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    int sourceX = x + dx;
                    int sourceY = y + dy;
                    bool inside = sourceX is >= 0 and < Width && sourceY is >= 0 and < Height;
                    float expected = inside ? At(input, image, c, sourceY, sourceX) : BlackLevel[c];
                    if (Math.Abs(At(output, image, c, y, x) - expected) > 1e-5)
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    [Fact]
    public void Erasing_SetsRectanglesToZero()
    {
        var options = new AugmentationOptions { ErasingProbability = 1 };
        float[] input = RandomValues(5);

        float[] output = Augment(options, input, new Random(11));

        for (int i = 0; i < input.Length; i++)
        {
            Assert.True(output[i] == input[i] || output[i] == 0f, $"value {i} is {output[i]}: neither the input {input[i]} nor 0");
        }
        for (int b = 0; b < Batch; b++)
        {
            // Every channel is erased at the same pixels, and those pixels form one rectangle.
            var erased = new List<(int Y, int X)>();
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    if (At(output, b, 0, y, x) == 0f)
                    {
                        erased.Add((y, x));
                    }
                    Assert.Equal(At(output, b, 0, y, x) == 0f, At(output, b, 1, y, x) == 0f);
                }
            }
            Assert.NotEmpty(erased);
            int top = erased.Min(p => p.Y);
            int bottom = erased.Max(p => p.Y);
            int left = erased.Min(p => p.X);
            int right = erased.Max(p => p.X);
            Assert.Equal((bottom - top + 1) * (right - left + 1), erased.Count);
        }
    }

    [Fact]
    public void InvalidOptions_GiveValidationMessages()
    {
        IReadOnlyList<string> problems = new AugmentationOptions { RotationDegrees = 500, ErasingProbability = 2, Preset = "bogus" }.Validate();

        Assert.Contains("--rotate 500 is out of range: expected 0 (off) to 180 degrees", problems);
        Assert.Contains("--erase 2 is out of range: expected a probability from 0 (off) to 1", problems);
        Assert.Contains("--augment 'bogus' is unknown: expected one of none, flip-crop, standard, strong", problems);
        Assert.Equal(3, problems.Count);
        Assert.Empty(AugmentationOptions.FromPreset("strong").Validate());
        var unknown = Assert.Throws<UserInputException>(() => AugmentationOptions.FromPreset("bogus"));
        Assert.Equal("--augment 'bogus' is unknown: expected one of none, flip-crop, standard, strong", unknown.Message);
    }

    [Fact]
    public void UnknownPresetOnCli_ExitsTwo()
    {
        string output = folder.Combine("out");

        CliProcess.Outcome outcome = CliProcess.Run("train", "--augment", "bogus", "--out", output);

        Assert.Equal(2, outcome.ExitCode);
        string line = Assert.Single(outcome.ErrorLines);
        Assert.Equal("error: --augment 'bogus' is unknown: expected one of none, flip-crop, standard, strong", line);
        Assert.False(Directory.Exists(output), "a rejected run must not create its output folder");
    }

    [Fact]
    public void Apply_InScopeReturnsToBaseline()
    {
        var options = new AugmentationOptions { HorizontalFlip = true, CropPadding = 2, RotationDegrees = 10, ErasingProbability = 1 };
        var augmenter = new ImageAugmenter(options, Normalization);
        using Tensor images = Images(RandomValues(6));
        long baseline = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        using (NewDisposeScope())
        {
            Tensor output = augmenter.Apply(images, new Random(3));
            Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount > baseline, "Apply should create tensors inside the scope");
            Assert.False(output.IsInvalid);
        }

        Assert.Equal(baseline, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.False(images.IsInvalid, "Apply must not dispose its input");
    }
}
