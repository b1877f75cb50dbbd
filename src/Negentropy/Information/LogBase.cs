namespace Negentropy.Information;

/// <summary>Unit of an information quantity: bits (log base 2) or nats (natural log).</summary>
public enum LogBase
{
    Bits,
    Nats,
}

/// <summary>Conversions between bits and nats.</summary>
public static class LogBaseExtensions
{
    /// <summary>Factor that turns nats into <paramref name="unit"/>: 1/ln 2 for bits, 1 for nats.</summary>
    public static double FromNats(this LogBase unit) => unit == LogBase.Bits ? 1.0 / Math.Log(2) : 1.0;
}
