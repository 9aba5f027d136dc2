using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>An event id names one kind of event across the whole product, so operators can filter and alert on it.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_is_used_by_one_message_only()
    {
        var assemblies = new[] { "gatehouse", "Gatehouse.Protocol", "Gatehouse.Accounts", "Gatehouse.Storage" }.Select(Assembly.Load);
        var events = assemblies
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.FullName}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(entry => entry.Attribute is not null)
            .ToList();

        Assert.True(events.Count > 50, $"only {events.Count} log messages found: is the scan still looking in the right assemblies?");
        var shared = events.GroupBy(entry => entry.Attribute!.EventId).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(entry => entry.Method))}").ToList();
        Assert.True(shared.Count == 0, "event ids used more than once:\n" + string.Join('\n', shared));
    }
}
