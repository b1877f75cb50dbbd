using Negentropy.Monitoring;
using Xunit;

namespace Negentropy.Tests.Monitoring;

public sealed class AlertConfigTests : IDisposable
{
    private const string ExampleJson = """
        {"evaluate_every_seconds": 2, "windows": {"count": 500, "seconds": 600, "min_count": 100},
         "cooldown_seconds": 300,
         "rules": [{"name": "class-shift", "metric": "class_psi", "above": 0.2},
                   {"name": "spam-surge", "metric": "class_share_z", "class": "spam", "above": 4, "window": "count"},
                   {"name": "escalations", "metric": "abstention_rate", "above": 0.2, "window": "time"},
                   {"name": "uncertainty-drift", "metric": "entropy_ks_p", "below": 0.001}],
         "webhook": {"url": "http://127.0.0.1:9000/alerts", "max_attempts": 4, "initial_backoff_ms": 500, "timeout_ms": 5000}}
        """;

    private static readonly string[] HamSpam = ["ham", "spam"];

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Load_ReadsEveryField()
    {
        AlertConfig config = AlertConfig.Load(Write(ExampleJson), HamSpam);

        Assert.Equal(TimeSpan.FromSeconds(2), config.EvaluateEvery);
        Assert.Equal(new AlertWindowOptions(500, TimeSpan.FromSeconds(600), 100), config.Windows);
        Assert.Equal(TimeSpan.FromSeconds(300), config.Cooldown);
        Assert.Equal(4, config.Rules.Count);
        Assert.Equal(new AlertRule("spam-surge", "class_share_z", "spam", 4, AlertComparison.Above, "count"), config.Rules[1]);
        Assert.Equal(new AlertRule("escalations", "abstention_rate", null, 0.2, AlertComparison.Above, "time"), config.Rules[2]);
        Assert.Equal(new AlertRule("uncertainty-drift", "entropy_ks_p", null, 0.001, AlertComparison.Below, "count"), config.Rules[3]);
        Assert.Equal(new WebhookOptions(new Uri("http://127.0.0.1:9000/alerts"), 4, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)), config.Webhook);
        Assert.EndsWith("alerts.json", config.Source);
    }

    [Fact]
    public void Load_AppliesDefaults()
    {
        AlertConfig config = AlertConfig.Load(Write("{}"));

        Assert.Equal(AlertConfig.Default.Rules, config.Rules);
        Assert.Equal(AlertWindowOptions.Default, config.Windows);
        Assert.Equal(TimeSpan.FromSeconds(1), config.EvaluateEvery);
        Assert.Equal(TimeSpan.FromSeconds(300), config.Cooldown);
        Assert.Null(config.Webhook);
    }

    [Fact]
    public void Default_HasBothPsiRules()
    {
        Assert.Collection(
            AlertConfig.Default.Rules,
            rule => Assert.Equal(("class_psi", 0.2, AlertComparison.Above), (rule.Metric, rule.Threshold, rule.Comparison)),
            rule => Assert.Equal(("entropy_psi", 0.2, AlertComparison.Above), (rule.Metric, rule.Threshold, rule.Comparison)));
        Assert.Null(AlertConfig.Default.Webhook);
    }

    [Theory]
    [InlineData("""{"evaluate_every_seconds": 0}""", "$.evaluate_every_seconds: 0 is out of range")]
    [InlineData("""{"evaluate_every_seconds": "1"}""", "$.evaluate_every_seconds: expected a finite number, got \"1\"")]
    [InlineData("""{"cooldown_seconds": -1}""", "$.cooldown_seconds: -1 is out of range")]
    [InlineData("""{"windows": {"count": 0}}""", "$.windows.count: 0 is out of range")]
    [InlineData("""{"windows": {"count": 10.5}}""", "$.windows.count: expected a whole number")]
    [InlineData("""{"windows": {"seconds": -5}}""", "$.windows.seconds: -5 is out of range")]
    [InlineData("""{"windows": {"count": 50, "min_count": 60}}""", "$.windows.min_count: 60 is larger than $.windows.count (50)")]
    [InlineData("""{"windows": []}""", "$.windows: expected a JSON object, got an array")]
    [InlineData("""{"rules": {}}""", "$.rules: expected an array of rules")]
    [InlineData("""{"rules": [{"metric": "class_psi", "above": 1}]}""", "$.rules[0].name: is missing")]
    [InlineData("""{"rules": [{"name": " ", "metric": "class_psi", "above": 1}]}""", "$.rules[0].name: is blank")]
    [InlineData("""{"rules": [{"name": "a", "above": 1}]}""", "$.rules[0].metric: is missing")]
    [InlineData("""{"rules": [{"name": "a", "metric": "psi", "above": 1}]}""", "$.rules[0].metric: unknown metric 'psi'")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "above": 1, "below": 2}]}""", "$.rules[0]: has both \"above\" and \"below\"")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi"}]}""", "$.rules[0]: has neither \"above\" nor \"below\"")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "above": "high"}]}""", "$.rules[0].above: expected a finite number, got \"high\"")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "below": null}]}""", "$.rules[0].below: expected a finite number, got null")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_share_z", "above": 4}]}""", "$.rules[0].class: is missing")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "class": "spam", "above": 4}]}""", "$.rules[0].class: applies only to class_share and class_share_z")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_share", "class": "eggs", "above": 0.5}]}""", "$.rules[0].class: 'eggs' is not a class of the model; expected one of ham, spam")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "above": 1, "window": "hour"}]}""", "$.rules[0].window: 'hour' is not a window")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "above": 1}, {"name": "a", "metric": "class_js", "above": 1}]}""", "$.rules[1].name: 'a' is used by an earlier rule")]
    [InlineData("""{"rules": [{"name": "a", "metric": "class_psi", "above": 1, "threshold": 3}]}""", "$.rules[0].threshold: unknown field")]
    [InlineData("""{"webhook": {"url": "ftp://example.test/x"}}""", "$.webhook.url: 'ftp://example.test/x' is not an absolute http or https URL")]
    [InlineData("""{"webhook": {"url": "/alerts"}}""", "$.webhook.url: '/alerts' is not an absolute http or https URL")]
    [InlineData("""{"webhook": {"max_attempts": 4}}""", "$.webhook.url: is missing")]
    [InlineData("""{"webhook": {"url": "http://127.0.0.1:1/", "max_attempts": 0}}""", "$.webhook.max_attempts: 0 is out of range")]
    [InlineData("""{"webhook": {"url": "http://127.0.0.1:1/", "initial_backoff_ms": -1}}""", "$.webhook.initial_backoff_ms: -1 is out of range")]
    [InlineData("""{"webhook": {"url": "http://127.0.0.1:1/", "timeout_ms": 0}}""", "$.webhook.timeout_ms: 0 is out of range")]
    [InlineData("""{"webhook": {"url": "http://127.0.0.1:1/", "retries": 3}}""", "$.webhook.retries: unknown field")]
    [InlineData("""{"cooldown": 5}""", "$.cooldown: unknown field")]
    [InlineData("""{"cooldown_seconds": 5, "cooldown_seconds": 6}""", "$.cooldown_seconds: appears more than once")]
    [InlineData("""[1, 2]""", "$: expected a JSON object, got an array")]
    public void Load_NamesEachInvalidField(string json, string expected)
    {
        string path = Write(json);

        var exception = Assert.Throws<UserInputException>(() => AlertConfig.Load(path, HamSpam));

        Assert.StartsWith($"{path}: invalid alert configuration: ", exception.Message);
        Assert.Contains(expected, exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
    }

    [Fact]
    public void Load_CollectsEveryProblem()
    {
        string path = Write("""{"evaluate_every_seconds": -1, "rules": [{"name": "a", "metric": "nope", "above": 1, "below": 1}], "extra": true}""");

        var exception = Assert.Throws<UserInputException>(() => AlertConfig.Load(path));

        Assert.Contains("$.evaluate_every_seconds:", exception.Message);
        Assert.Contains("$.rules[0].metric:", exception.Message);
        Assert.Contains("$.rules[0]: has both", exception.Message);
        Assert.Contains("$.extra: unknown field", exception.Message);
    }

    [Fact]
    public void Load_ReportsInvalidJsonAndMissingFile()
    {
        string invalid = Write("{\n  \"rules\": [,]\n}");
        string missing = folder.Combine("missing.json");

        var syntax = Assert.Throws<UserInputException>(() => AlertConfig.Load(invalid));
        var notFound = Assert.Throws<UserInputException>(() => AlertConfig.Load(missing));

        Assert.Contains($"{invalid}: the alert configuration is not valid JSON at line 2", syntax.Message);
        Assert.StartsWith($"{missing}: cannot read the alert configuration", notFound.Message);
    }

    [Fact]
    public void CheckClasses_RejectsUnknownClass()
    {
        AlertConfig config = AlertConfig.Load(Write(ExampleJson));

        var exception = Assert.Throws<UserInputException>(() => config.CheckClasses(["cat", "dog"]));

        Assert.Contains("$.rules[1].class: 'spam' is not a class of the model; expected one of cat, dog", exception.Message);
        Assert.StartsWith(config.Source, exception.Message);
    }

    private string Write(string json)
    {
        string path = folder.Combine("alerts.json");
        File.WriteAllText(path, json);
        return path;
    }
}
