using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Negentropy.Tests.Serving;

/// <summary>An in-memory logger provider: every record with its level and category.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, string Category, string Message);

    private readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.entries.Enqueue(new Entry(logLevel, category, formatter(state, exception)));
    }
}
