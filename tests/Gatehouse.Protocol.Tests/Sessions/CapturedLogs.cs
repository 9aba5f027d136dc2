using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>A logger factory that keeps every entry written through it, with the exception it carried (and so its stack trace), if any.</summary>
internal sealed class CapturedLogs : ILoggerFactory
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(Entries);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    public sealed record LogEntry(int EventId, LogLevel Level, string Message, Exception? Exception);

    private sealed class Logger(ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(eventId.Id, logLevel, formatter(state, exception), exception));
    }
}
