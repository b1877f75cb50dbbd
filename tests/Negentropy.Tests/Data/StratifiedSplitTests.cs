using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class StratifiedSplitTests
{
    private static int[] Labels(int count, int classes, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(classes)).ToArray();
    }

    [Fact]
    public void Split_SameSeedGivesSameSplit()
    {
        int[] labels = Labels(1000, 10, 1);

        (int[] trainA, int[] validationA) = StratifiedSplit.Split(labels, 0.1, seed: 42);
        (int[] trainB, int[] validationB) = StratifiedSplit.Split(labels, 0.1, seed: 42);

        Assert.Equal(trainA, trainB);
        Assert.Equal(validationA, validationB);
    }

    [Fact]
    public void Split_OtherSeedGivesOtherSplit()
    {
        int[] labels = Labels(1000, 10, 1);

        (_, int[] validationA) = StratifiedSplit.Split(labels, 0.1, seed: 42);
        (_, int[] validationB) = StratifiedSplit.Split(labels, 0.1, seed: 43);

        Assert.NotEqual(validationA, validationB);
    }

    [Fact]
    public void Split_PartitionsAndKeepsClassShares()
    {
        int[] labels = Labels(2000, 5, 3);

        (int[] train, int[] validation) = StratifiedSplit.Split(labels, 0.2, seed: 7);

        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, labels.Length), train.Concat(validation).OrderBy(i => i));
        for (int k = 0; k < 5; k++)
        {
            int inClass = labels.Count(l => l == k);
            int inValidation = validation.Count(i => labels[i] == k);
            Assert.Equal(Math.Round(inClass * 0.2, MidpointRounding.AwayFromZero), inValidation);
        }
    }

    [Fact]
    public void Split_RejectsFractionOutsideRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Split(new[] { 0, 1 }, 1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedSplit.Split(new[] { 0, 1 }, -0.1, 1));
    }

    [Fact]
    public void EpochOrder_DependsOnlyOnSeedAndEpoch()
    {
        int[] first = ImageTensors.EpochOrder(500, seed: 5, epoch: 3, shuffle: true);
        int[] again = ImageTensors.EpochOrder(500, seed: 5, epoch: 3, shuffle: true);
        int[] nextEpoch = ImageTensors.EpochOrder(500, seed: 5, epoch: 4, shuffle: true);

        Assert.Equal(first, again);
        Assert.NotEqual(first, nextEpoch);
        Assert.Equal(Enumerable.Range(0, 500), first.OrderBy(i => i));
        Assert.Equal(Enumerable.Range(0, 500), ImageTensors.EpochOrder(500, 5, 3, shuffle: false));
    }
}
