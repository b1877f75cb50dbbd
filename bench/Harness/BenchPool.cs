using Negentropy.Data;
using static TorchSharp.torch;

namespace Negentropy.Bench;

/// <summary>
/// The batches that the training and inference loops cycle through, made once before timing. Image
/// inputs are float32 [batch, 1, 28, 28]; text inputs are int64 token ids [batch, length] with 0 as padding.
/// The tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Data">The data mode that made the batches: synthetic, fashion-mnist or spam-assassin.</param>
/// <param name="VocabularySize">Text: the token ids the model embeds, padding id 0 included; 0 for images.</param>
/// <param name="Tokenizer">SpamAssassin: the encoder kind ("word" or "hashed-ngrams"); null otherwise.</param>
public sealed record BenchPool(string Data, Tensor[] Inputs, Tensor[] Targets, int Classes, int VocabularySize, string? Tokenizer)
{
    /// <summary>Distinct batches per pool.</summary>
    public const int Batches = 8;

    public const int ImageSize = 28;
    public const int ImageClasses = 10;

    public bool IsText => VocabularySize > 0;

    /// <summary>Text: token ids per row; 0 for images.</summary>
    public int SequenceLength => IsText ? (int)Inputs[0].shape[1] : 0;

    /// <summary>Makes the pool that <paramref name="options"/> describes.</summary>
    public static BenchPool Create(BenchOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        if (options.IsTextModel)
        {
            return options.Data == BenchOptions.SpamAssassinData
                ? TextPool.SpamAssassin(options, log, cancellationToken)
                : TextPool.Synthetic(options);
        }
        return options.Data == BenchOptions.FashionMnistData ? FashionMnistImages(options) : SyntheticImages(options);
    }

    // Seeded normal noise and uniform random labels.
    private static BenchPool SyntheticImages(BenchOptions options)
    {
        var images = new Tensor[Batches];
        var targets = new Tensor[Batches];
        var generator = new Generator(7);
        for (int i = 0; i < Batches; i++)
        {
            images[i] = randn(new long[] { options.BatchSize, 1, ImageSize, ImageSize }, generator: generator);
            targets[i] = randint(0, ImageClasses, new long[] { options.BatchSize }, generator: generator);
        }
        return new BenchPool(options.Data, images, targets, ImageClasses, VocabularySize: 0, Tokenizer: null);
    }

    // The first training images, normalized with their own mean and standard deviation. With fewer
    // images than the pool needs, the batches wrap around.
    private static BenchPool FashionMnistImages(BenchOptions options)
    {
        var images = new Tensor[Batches];
        var targets = new Tensor[Batches];
        ImageDataset train = FashionMnist.Load().Train;
        int count = Math.Min(train.Count, Batches * options.BatchSize);
        ImageDataset subset = train.Take(count);
        using var tensors = new ImageTensors(subset, ChannelNormalization.Compute(subset));
        for (int i = 0; i < Batches; i++)
        {
            using Tensor indices = arange(i * options.BatchSize, (i + 1) * options.BatchSize, ScalarType.Int64).remainder(count);
            images[i] = tensors.Images.index_select(0, indices);
            targets[i] = tensors.Targets.index_select(0, indices);
        }
        return new BenchPool(options.Data, images, targets, ImageClasses, VocabularySize: 0, Tokenizer: null);
    }
}
