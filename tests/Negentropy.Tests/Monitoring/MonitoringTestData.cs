using Negentropy.Monitoring;

namespace Negentropy.Tests.Monitoring;

/// <summary>Small monitoring references and configurations built in code for the monitoring tests.</summary>
internal static class MonitoringTestData
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A reference with the given class shares, entropy edges 0.5 and 1.0 with shares 0.5/0.3/0.2, and a 10-value entropy sample.</summary>
    public static MonitoringReference Reference(IReadOnlyList<string> classNames, IReadOnlyList<double> classShares, int count = 1000) => new()
    {
        Count = count,
        ClassNames = classNames,
        ClassShares = classShares,
        EntropyBinEdges = [0.5, 1.0],
        EntropyBinShares = [0.5, 0.3, 0.2],
        EntropySample = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.2, 1.5],
        MeanEntropyBits = 0.63,
        AbstentionRate = 0.2,
    };

    public static MonitoringReference HamSpam() => Reference(["ham", "spam"], [0.8, 0.2]);

    public static AlertConfig Config(int count, int minCount, double cooldownSeconds, params AlertRule[] rules) => AlertConfig.Default with
    {
        Windows = new AlertWindowOptions(count, TimeSpan.FromSeconds(600), minCount),
        Cooldown = TimeSpan.FromSeconds(cooldownSeconds),
        Rules = rules,
    };
}
