namespace Negentropy.Monitoring;

/// <summary>Sizes of the two sliding windows that alert rules read.</summary>
/// <param name="Count">N, the number of latest predictions in the count window (default <see cref="DefaultCount"/>).</param>
/// <param name="Duration">T, the length of the time window (default <see cref="DefaultSeconds"/> seconds).</param>
/// <param name="MinCount">A rule is evaluated only when its window contains at least this many predictions (default <see cref="DefaultMinCount"/>).</param>
public sealed record AlertWindowOptions(int Count, TimeSpan Duration, int MinCount)
{
    public const int DefaultCount = 500;
    public const double DefaultSeconds = 600;
    public const int DefaultMinCount = 100;

    public static AlertWindowOptions Default { get; } = new(DefaultCount, TimeSpan.FromSeconds(DefaultSeconds), DefaultMinCount);
}
