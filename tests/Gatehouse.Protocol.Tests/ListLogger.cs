using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Tests;

/// <summary>Keeps what is logged, to assert on the event ids and messages an operator would see.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(int Id, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
}
