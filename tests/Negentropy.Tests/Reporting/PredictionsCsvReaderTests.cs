using System.Text;
using Negentropy.Reporting;
using Xunit;

namespace Negentropy.Tests.Reporting;

public sealed class PredictionsCsvReaderTests
{
    private static PredictionsCsvReader.Table Read(string text, bool renormalize = false) =>
        PredictionsCsvReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "preds.csv", renormalize);

    [Fact]
    public void Read_ParsesQuotedNamesAndRows()
    {
        PredictionsCsvReader.Table table = Read("label,cat,\"dog, big\"\r\ncat,0.75,0.25\r\n\"dog, big\",0.1,0.9\r\n");

        Assert.Equal(new[] { "cat", "dog, big" }, table.ClassNames);
        Assert.Equal(new[] { 0, 1 }, table.Targets);
        Assert.Equal(new[] { 0.75, 0.25, 0.1, 0.9 }, table.Probabilities);
    }

    [Fact]
    public void Read_AcceptsByteOrderMarkAndExponents()
    {
        PredictionsCsvReader.Table table = Read("\uFEFFlabel,a,b\na,1e-05,0.99999\n");

        Assert.Equal(new[] { "a", "b" }, table.ClassNames);
        Assert.Equal(1e-05, table.Probabilities[0]);
    }

    public static TheoryData<string, string> InvalidFiles() => new()
    {
        { "", "preds.csv: empty file" },
        { "label,a,b\n", "preds.csv: the header has no rows after it" },
        { "truth,a,b\na,0.5,0.5\n", "preds.csv line 1: the first column is 'truth', expected 'label'" },
        { "label,a\na,1\n", "preds.csv line 1: 1 class columns; at least 2 are needed" },
        { "label,a,a\na,0.5,0.5\n", "preds.csv line 1: class 'a' appears twice" },
        { "label,a,b\na,0.5,0.5\nb,0.5\n", "preds.csv line 3: 2 fields, expected 3" },
        { "label,a,b\nc,0.5,0.5\n", "preds.csv line 2: label 'c' is not one of the class columns (a, b)" },
        { "label,a,b\na,-0.1,1.1\n", "preds.csv line 2, column 'a': probability '-0.1' is invalid" },
        { "label,a,b\na,0.5,NaN\n", "preds.csv line 2, column 'b': probability 'NaN' is invalid" },
        { "label,a,b\na,0.5,1.5\n", "preds.csv line 2, column 'b': probability '1.5' is invalid" },
        { "label,a,b\na,x,0.5\n", "preds.csv line 2, column 'a': probability 'x' is invalid" },
        { "label,a,b\na,0.5,0.5\n\nb,0.6,0.6\n", "preds.csv line 4: probabilities sum to 1.2, not 1 within 1e-6; fix the file or pass --renormalize" },
        { "label,,b\na,0.5,0.5\n", "preds.csv line 1: column 2 has an empty class name" },
        { "index,truth,a,b\n0,a,0.5,0.5\n", "preds.csv line 1: the column after 'index' is 'truth', expected 'label'" },
        { "index,label,a,b\nx,a,0.5,0.5\n", "preds.csv line 2: index 'x' is invalid" },
        { "index,label,a,b\n-1,a,0.5,0.5\n", "preds.csv line 2: index '-1' is invalid" },
        { "index,label,a,b\n3,a,0.5,0.5\n3,b,0.5,0.5\n", "preds.csv line 3: index 3 appears twice" },
        { "index,label,a,,b\n0,a,0.5,0.5\n", "preds.csv line 1: column 4 has an empty class name" },
    };

    [Fact]
    public void Read_IndexColumnIsOptional()
    {
        PredictionsCsvReader.Table table = Read("index,label,a,b\n7,b,0.25,0.75\n2,a,1,0\n");

        Assert.Equal(new[] { 7, 2 }, table.Indices);
        Assert.Equal(new[] { 1, 0 }, table.Targets);
        Assert.Equal(new[] { 0.25, 0.75, 1, 0 }, table.Probabilities);
        Assert.Null(Read("label,a,b\na,0.5,0.5\n").Indices);
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Read_InvalidInputNamesLine(string text, string expected)
    {
        var error = Assert.Throws<UserInputException>(() => Read(text));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Read_RenormalizesWhenAsked()
    {
        PredictionsCsvReader.Table table = Read("label,a,b\na,0.125,0.375\n", renormalize: true);

        Assert.Equal(new[] { 0.25, 0.75 }, table.Probabilities);
    }

    [Fact]
    public void Read_MissingFileSaysNotFound()
    {
        var error = Assert.Throws<UserInputException>(() => PredictionsCsvReader.Read("/nonexistent/preds.csv"));

        Assert.Equal("/nonexistent/preds.csv: file not found", error.Message);
    }
}
