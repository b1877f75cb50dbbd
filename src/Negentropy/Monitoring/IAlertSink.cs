namespace Negentropy.Monitoring;

/// <summary>A destination for fired alerts.</summary>
public interface IAlertSink
{
    /// <summary>Hands over one alert. Implementations return without waiting on I/O.</summary>
    void Publish(Alert alert);
}
