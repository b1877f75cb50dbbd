using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class TextDatasetTests
{
    private static readonly string[] Refund = ["我要退款", "退款多久到账", "怎么申请退款", "退货后钱退到哪里", "取消订单能退款吗", "退款失败怎么办", "退款进度查询", "部分退款可以吗", "退款到银行卡", "为什么还没退款"];
    private static readonly string[] Shipping = ["快递到哪里了", "物流一直不更新", "什么时候发货", "包裹显示已签收但没收到", "能改收货地址吗", "快递员联系不上", "物流单号查不到", "可以指定快递吗", "发货太慢了", "包裹破损怎么办"];
    private static readonly string[] Account = ["怎么修改密码", "账号被冻结了", "忘记登录密码", "如何绑定手机号", "注销账户", "收不到验证码", "换绑邮箱", "账号异地登录", "实名认证失败", "如何解绑银行卡"];

    // Rows alternate between the three intents, with a per-class count so the split can be checked per class.
    private static TextTable Intents(int refund, int shipping, int account, string source = "train.csv")
    {
        var texts = new List<string>();
        var labels = new List<string>();
        void Add(string[] samples, int count, string label)
        {
            for (int i = 0; i < count; i++)
            {
                texts.Add($"{samples[i % samples.Length]} {i}");
                labels.Add(label);
            }
        }
        Add(Refund, refund, "退款");
        Add(Shipping, shipping, "物流");
        Add(Account, account, "账户");
        return new TextTable(texts, labels, 0, 0, texts.Count, source)
        {
            LineNumbers = Enumerable.Range(2, texts.Count).Select(line => (long)line).ToArray(),
        };
    }

    [Fact]
    public void ClassNames_AreSortedOrdinally()
    {
        TextTable train = new(["a", "b", "c", "d"], ["b", "B", "a", "b"], 0, 0, 4, "train.csv");
        TextTable test = new(["e"], ["B"], 0, 0, 1, "test.csv");

        TextDatasetPair pair = TextDataset.FromTables(train, test, 0.2, seed: 1);

        Assert.Equal(["B", "a", "b"], pair.Train.ClassNames);
        Assert.Equal([2, 0, 1, 2], pair.Train.Labels);
        Assert.Equal([0], pair.Test.Labels);
        Assert.Same(pair.Train.ClassNames, pair.Test.ClassNames);
        Assert.Equal(3, pair.Train.NumClasses);
        Assert.Equal(4, pair.Train.Count);
    }

    [Fact]
    public void TestTable_UnseenLabelNamesLabelFileAndLine()
    {
        TextTable train = Intents(3, 3, 3);
        TextTable test = new(["我要退款", "我想投诉客服"], ["退款", "投诉"], 0, 0, 2, "test.csv") { LineNumbers = [2, 5] };

        var error = Assert.Throws<UserInputException>(() => TextDataset.FromTables(train, test, 0.2, seed: 1));

        Assert.StartsWith("test.csv line 5: label '投诉'", error.Message);
        Assert.Contains("train.csv", error.Message);
        Assert.Contains("'物流', '账户', '退款'", error.Message);
    }

    [Fact]
    public void Split_SameSeedGivesSameSets()
    {
        TextTable train = Intents(20, 20, 20);

        TextDatasetPair first = TextDataset.FromTables(train, null, 0.25, seed: 7);
        TextDatasetPair again = TextDataset.FromTables(train, null, 0.25, seed: 7);
        TextDatasetPair other = TextDataset.FromTables(train, null, 0.25, seed: 8);

        Assert.Equal(first.Test.Texts, again.Test.Texts);
        Assert.Equal(first.Train.Texts, again.Train.Texts);
        Assert.NotEqual(first.Test.Texts, other.Test.Texts);
    }

    [Fact]
    public void Split_IsStratifiedAndPartitions()
    {
        TextTable train = Intents(40, 20, 8);

        TextDatasetPair pair = TextDataset.FromTables(train, null, 0.25, seed: 3);

        Assert.Equal(10, pair.Test.Labels.Count(label => label == pair.Test.ClassNames.ToList().IndexOf("退款")));
        Assert.Equal(5, pair.Test.Labels.Count(label => label == pair.Test.ClassNames.ToList().IndexOf("物流")));
        Assert.Equal(2, pair.Test.Labels.Count(label => label == pair.Test.ClassNames.ToList().IndexOf("账户")));
        Assert.Equal(51, pair.Train.Count);
        Assert.Empty(pair.Train.Texts.Intersect(pair.Test.Texts));
        Assert.Equal(train.Texts.Order(StringComparer.Ordinal), pair.Train.Texts.Concat(pair.Test.Texts).Order(StringComparer.Ordinal));
        for (int i = 0; i < pair.Test.Count; i++)
        {
            int row = train.Texts.ToList().IndexOf(pair.Test.Texts[i]);
            Assert.Equal(train.Labels[row], pair.Test.ClassNames[pair.Test.Labels[i]]);
        }
        Assert.Contains("25% stratified test split, seed 3", pair.Source);
        Assert.Contains(pair.Notes, note => note.StartsWith("test set: 17 rows", StringComparison.Ordinal));
    }

    [Fact]
    public void Notes_ReportEmptyTextsAndLabels()
    {
        TextTable train = Intents(3, 3, 3) with { EmptyTexts = 2, EmptyLabels = 4, Rows = 13 };
        TextTable test = Intents(1, 1, 1, "test.csv");

        TextDatasetPair pair = TextDataset.FromTables(train, test, 0.2, seed: 1);

        Assert.Contains("train.csv: 13 rows, 4 dropped for an empty label, 2 kept with an empty text", pair.Notes);
        Assert.Contains("test.csv: 3 rows, 0 dropped for an empty label, 0 kept with an empty text", pair.Notes);
        Assert.Equal("train.csv (test set test.csv)", pair.Source);
    }

    [Fact]
    public void SingleClass_IsRejected()
    {
        TextTable train = Intents(5, 0, 0);

        var error = Assert.Throws<UserInputException>(() => TextDataset.FromTables(train, null, 0.2, seed: 1));

        Assert.Contains("at least 2 classes", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Split_RejectsFractionOutsideRange(double fraction)
    {
        TextTable train = Intents(5, 5, 5);

        var error = Assert.Throws<UserInputException>(() => TextDataset.FromTables(train, null, fraction, seed: 1));

        Assert.Contains("test fraction", error.Message);
    }

    [Fact]
    public void Split_WithNoTestRowsIsRejected()
    {
        TextTable train = Intents(2, 2, 2);

        var error = Assert.Throws<UserInputException>(() => TextDataset.FromTables(train, null, 0.1, seed: 1));

        Assert.Contains("leaves no test rows", error.Message);
    }

    [Fact]
    public void Subset_KeepsOrderAndClasses()
    {
        var dataset = new TextDataset(["我要退款", "快递到哪里了", "怎么修改密码"], [2, 0, 1], ["物流", "账户", "退款"]);

        TextDataset subset = dataset.Subset([2, 0]);

        Assert.Equal(["怎么修改密码", "我要退款"], subset.Texts);
        Assert.Equal([1, 2], subset.Labels);
        Assert.Same(dataset.ClassNames, subset.ClassNames);
    }

    [Fact]
    public void Constructor_RejectsMismatchedOrOutOfRangeLabels()
    {
        Assert.Throws<ArgumentException>(() => new TextDataset(["a", "b"], [0], ["x", "y"]));
        Assert.Throws<ArgumentException>(() => new TextDataset(["a"], [2], ["x", "y"]));
    }
}
