using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class ClassSubsetTests
{
    private static readonly string[] FashionNames =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    [Theory]
    [InlineData("0-4", new[] { 0, 1, 2, 3, 4 })]
    [InlineData("5,6,7,8,9", new[] { 5, 6, 7, 8, 9 })]
    [InlineData(" 9 , 0-1 ", new[] { 9, 0, 1 })]
    [InlineData("Sandal,Bag", new[] { 5, 8 })]
    [InlineData("ankle boot,T-shirt/top,3", new[] { 9, 0, 3 })]
    public void Parse_KeepsGivenOrder(string value, int[] expected)
    {
        ClassSubset subset = ClassSubset.Parse(value, FashionNames);

        Assert.Equal(expected, subset.SourceIndices);
        Assert.Equal(expected.Select(index => FashionNames[index]), subset.ClassNames);
        Assert.Equal(10, subset.SourceClassCount);
    }

    [Fact]
    public void Parse_NumberIsIndexNotName()
    {
        string[] numericNames = { "1", "2", "3" };

        ClassSubset subset = ClassSubset.Parse("1,2", numericNames);

        Assert.Equal(new[] { 1, 2 }, subset.SourceIndices);
        Assert.Equal(new[] { "2", "3" }, subset.ClassNames);
    }

    [Theory]
    [InlineData("Sandal,Sneakers", "--classes 'Sandal,Sneakers': no class is named 'Sneakers'; the classes are 'T-shirt/top',")]
    [InlineData("5-10", "--classes '5-10': class index 10 is out of range; the data has classes 0 to 9")]
    [InlineData("99999999999", "class index 99999999999 is out of range")]
    [InlineData("0-4,3", "--classes '0-4,3' selects class 3 ('Dress') twice; list each class once")]
    [InlineData("Bag,8", "selects class 8 ('Bag') twice")]
    [InlineData("7", "--classes '7' selects 1 class; a classifier needs at least 2")]
    [InlineData("4-0", "the range 4-0 is reversed; write the lower index first, as in 0-4")]
    [InlineData("0,,1", "has an empty item")]
    [InlineData(" , ", "--classes is empty")]
    [InlineData("-1,2", "no class is named '-1'")]
    public void Parse_RejectsBadValues(string value, string expected)
    {
        var error = Assert.Throws<UserInputException>(() => ClassSubset.Parse(value, FashionNames));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Parse_AmbiguousCaselessNameIsUnknown()
    {
        string[] names = { "cat", "Cat", "dog" };

        Assert.Equal(new[] { 1, 2 }, ClassSubset.Parse("Cat,dog", names).SourceIndices);
        var error = Assert.Throws<UserInputException>(() => ClassSubset.Parse("CAT,dog", names));
        Assert.Contains("no class is named 'CAT'", error.Message);
    }

    [Fact]
    public void ApplyToImages_RelabelsAndKeepsOrder()
    {
        int[] labels = { 0, 3, 1, 3, 2, 1, 0 };
        byte[] pixels = labels.Select((_, i) => (byte)(10 * i)).ToArray();
        var data = new ImageDataset(pixels, labels, 1, 1, 1, new[] { "a", "b", "c", "d" });
        ClassSubset subset = ClassSubset.Parse("d,b", data.ClassNames);

        ImageDataset selected = subset.Apply(data);

        Assert.Equal(new[] { "d", "b" }, selected.ClassNames);
        Assert.Equal(new[] { 0, 1, 0, 1 }, selected.Labels);
        Assert.Equal(new byte[] { 10, 20, 30, 50 }, selected.Pixels);
    }

    [Fact]
    public void ApplyToTexts_RelabelsAndKeepsNames()
    {
        var data = new TextDataset(new[] { "x", "y", "z", "w" }, new[] { 2, 0, 1, 2 }, new[] { "ham", "spam", "other" });
        ClassSubset subset = ClassSubset.Parse("2,0", data.ClassNames);

        TextDataset selected = subset.Apply(data);

        Assert.Equal(new[] { "other", "ham" }, selected.ClassNames);
        Assert.Equal(new[] { "x", "y", "w" }, selected.Texts);
        Assert.Equal(new[] { 0, 1, 0 }, selected.Labels);
    }

    [Fact]
    public void Apply_RejectsOtherClassCount()
    {
        ClassSubset subset = ClassSubset.Parse("0,1", new[] { "a", "b", "c" });
        var data = new ImageDataset(new byte[2], new[] { 0, 1 }, 1, 1, 1, new[] { "a", "b" });

        Assert.Throws<ArgumentException>(() => subset.Apply(data));
    }

    [Fact]
    public void Describe_ListsMapping()
    {
        ClassSubset subset = ClassSubset.Parse("7,5", FashionNames);

        Assert.Equal("7 Sneaker → 0, 5 Sandal → 1", subset.Describe());
    }
}
