using System.Text;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class TextTableReaderTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static TextTableOptions Columns(string label, params string[] texts) =>
        new() { TextColumns = texts, LabelColumn = label };

    private string Write(string name, string content)
    {
        string path = folder.Combine(name);
        File.WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content));
        return path;
    }

    [Fact]
    public void Csv_ReadsChineseIntents()
    {
        string path = Write("intents.csv", "text,label\n我要退款,退款\n快递到哪里了,物流\n怎么修改密码,账户\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(["我要退款", "快递到哪里了", "怎么修改密码"], table.Texts);
        Assert.Equal(["退款", "物流", "账户"], table.Labels);
        Assert.Equal([2L, 3L, 4L], table.LineNumbers);
        Assert.Equal(3, table.Rows);
        Assert.Equal(0, table.EmptyTexts);
        Assert.Equal(0, table.EmptyLabels);
        Assert.Equal(path, table.Source);
    }

    [Fact]
    public void Csv_Utf8BomSkipped()
    {
        string path = folder.Combine("bom.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("text,label\n退货怎么退款,退款\n")]);

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(["退货怎么退款"], table.Texts);
        Assert.Equal(["退款"], table.Labels);
    }

    [Fact]
    public void Csv_QuotedNewlinesAndDoubledQuotes()
    {
        string path = Write("quoted.csv",
            "text,label\n\"第一行\n第二行，包裹\"\"没到\"\"\",物流\n\"a, b and \"\"c\"\"\",账户\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(["第一行\n第二行，包裹\"没到\"", "a, b and \"c\""], table.Texts);
        Assert.Equal(["物流", "账户"], table.Labels);
        Assert.Equal([2L, 4L], table.LineNumbers);
    }

    [Fact]
    public void Csv_CrlfLineEnds()
    {
        string path = Write("crlf.csv", "text,label\r\n我要退款,退款\r\n\"两行\r\n文本\",物流\r\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(["我要退款", "两行\r\n文本"], table.Texts);
        Assert.Equal(["退款", "物流"], table.Labels);
        Assert.DoesNotContain(table.Labels, label => label.Contains('\r'));
    }

    [Fact]
    public void Csv_BlankLinesAreSkipped()
    {
        string path = Write("blank.csv", "text,label\n\n我要退款,退款\n\n\n快递到哪里了,物流\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(2, table.Rows);
        Assert.Equal([3L, 6L], table.LineNumbers);
    }

    [Fact]
    public void Tsv_ReadsTabSeparatedFields()
    {
        string path = Write("intents.tsv", "id\ttext\tlabel\n1\t退款要多久, 到账吗\t退款\n2\t\"含\t制表符\"\t物流\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(["退款要多久, 到账吗", "含\t制表符"], table.Texts);
        Assert.Equal(["退款", "物流"], table.Labels);
    }

    [Fact]
    public void SeveralTextColumns_JoinedWithNewline()
    {
        string path = Write("joined.csv", "title,body,label\n退款问题,钱什么时候退回,退款\n,只有正文,物流\n只有标题,,账户\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "title", "body"));

        Assert.Equal(["退款问题\n钱什么时候退回", "只有正文", "只有标题"], table.Texts);
        Assert.Equal(0, table.EmptyTexts);
    }

    [Fact]
    public void EmptyTextsKeptAndEmptyLabelsDropped()
    {
        string path = Write("empty.csv", "text,label\n我要退款,退款\n,物流\n   ,账户\n没有标签,\n空白标签,  \n修改手机号, 账户 \n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(6, table.Rows);
        Assert.Equal(2, table.EmptyLabels);
        Assert.Equal(2, table.EmptyTexts);
        Assert.Equal(["我要退款", "", "", "修改手机号"], table.Texts);
        Assert.Equal(["退款", "物流", "账户", "账户"], table.Labels);
        Assert.Equal([2L, 3L, 4L, 7L], table.LineNumbers);
    }

    [Fact]
    public void MissingColumn_ListsColumnsFound()
    {
        string path = Write("columns.csv", "question,intent\n我要退款,退款\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("intent", "text")));

        Assert.Contains(path, error.Message);
        Assert.Contains("line 1", error.Message);
        Assert.Contains("text column 'text' not found", error.Message);
        Assert.Contains("'question', 'intent'", error.Message);
    }

    [Fact]
    public void MissingColumn_HintsAtCaseInsensitiveMatch()
    {
        string path = Write("case.csv", "Text,Label\n我要退款,退款\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("Label", "text")));

        Assert.Contains("did you mean 'Text'?", error.Message);
    }

    [Fact]
    public void FieldCountMismatch_NamesLine()
    {
        string path = Write("ragged.csv", "text,label\n我要退款,退款\n包裹丢了, 怎么办,物流\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains($"{path} line 3: 3 fields, expected 2", error.Message);
    }

    [Fact]
    public void UnclosedQuote_IsAnErrorNamingFile()
    {
        string path = Write("unclosed.csv", "text,label\n\"我要退款,退款\n快递,物流\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.StartsWith($"{path} line 2: malformed CSV: a quoted field that is never closed;", error.Message);
        Assert.Contains("close every quote", error.Message);
    }

    [Fact]
    public void Csv_TextAfterClosingQuoteRejected()
    {
        string path = Write("after-quote.csv", "text,label\n我要退款,退款\n\"快递\"到了吗,物流\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.StartsWith($"{path} line 3: malformed CSV: text after the closing quote", error.Message);
        Assert.DoesNotContain("byte offset", error.Message);
    }

    [Fact]
    public void EmptyFile_AsksForHeader()
    {
        string path = Write("nothing.csv", "");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains("header row", error.Message);
    }

    [Fact]
    public void Jsonl_ReadsStringsNumbersAndBooleans()
    {
        string path = Write("rows.jsonl",
            "{\"text\": \"我要退款\", \"label\": 1}\n\n   \n{\"text\": \"快递到哪里了\", \"label\": 2.0}\r\n{\"text\": 12.5, \"label\": true, \"extra\": [1]}\n{\"text\": null, \"label\": 1e0}\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text"));

        Assert.Equal(["我要退款", "快递到哪里了", "12.5", ""], table.Texts);
        Assert.Equal(["1", "2", "true", "1"], table.Labels);
        Assert.Equal([1L, 4L, 5L, 6L], table.LineNumbers);
        Assert.Equal(4, table.Rows);
        Assert.Equal(1, table.EmptyTexts);
    }

    [Fact]
    public void Jsonl_SeveralKeysJoined()
    {
        string path = Write("rows.ndjson", "{\"subject\": \"退款\", \"body\": \"钱还没到\", \"label\": \"退款\"}\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "subject", "body"));

        Assert.Equal(["退款\n钱还没到"], table.Texts);
    }

    [Fact]
    public void Jsonl_MissingKeyNamesLineAndKey()
    {
        string path = Write("missing.jsonl", "{\"text\": \"我要退款\", \"label\": \"退款\"}\n{\"Text\": \"快递\", \"label\": \"物流\"}\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains($"{path} line 2", error.Message);
        Assert.Contains("text key 'text' not found", error.Message);
        Assert.Contains("'Text', 'label'", error.Message);
        Assert.Contains("did you mean 'Text'?", error.Message);
    }

    [Fact]
    public void Jsonl_InvalidJsonNamesLine()
    {
        string path = Write("bad.jsonl", "{\"text\": \"我要退款\", \"label\": \"退款\"}\n{\"text\": \"快递\", \"label\": }\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains($"{path} line 2: invalid JSON", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message);
    }

    [Fact]
    public void Jsonl_NonObjectLineIsAnError()
    {
        string path = Write("array.jsonl", "[\"我要退款\", \"退款\"]\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains($"{path} line 1: invalid row, a JSON array instead of an object", error.Message);
    }

    [Fact]
    public void Jsonl_NestedValueIsAnError()
    {
        string path = Write("nested.jsonl", "{\"text\": {\"zh\": \"我要退款\"}, \"label\": \"退款\"}\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains("line 1: key 'text' has a JSON object", error.Message);
    }

    [Fact]
    public void UnknownExtension_ListsAcceptedOnes()
    {
        string path = Write("data.txt", "text,label\n");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Contains("'.txt'", error.Message);
        Assert.Contains(".csv, .tsv, .jsonl, .ndjson", error.Message);
    }

    [Fact]
    public void ExplicitFormat_OverridesExtension()
    {
        string path = Write("data.txt", "text\tlabel\n我要退款\t退款\n");

        TextTable table = TextTableReader.Read(path, Columns("label", "text") with { Format = "TSV" });

        Assert.Equal(["我要退款"], table.Texts);
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        string path = Write("options.csv", "text,label\n我要退款,退款\n");

        var noText = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label")));
        var labelAsText = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text", "label")));
        var badFormat = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text") with { Format = "xlsx" }));

        Assert.Contains("text column missing", noText.Message);
        Assert.Contains("both a text column and the label column", labelAsText.Message);
        Assert.Contains("format 'xlsx' is not supported", badFormat.Message);
    }

    [Fact]
    public void MissingFile_IsNamed()
    {
        string path = folder.Combine("absent.csv");

        var error = Assert.Throws<UserInputException>(() => TextTableReader.Read(path, Columns("label", "text")));

        Assert.Equal($"{path}: file not found", error.Message);
    }
}
