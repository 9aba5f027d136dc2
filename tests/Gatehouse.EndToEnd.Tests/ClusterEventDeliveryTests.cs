using Gatehouse.Tests.Shared;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>Two nodes on one PostgreSQL store share the event queue: whichever claims a delivery delivers it, and only it.</summary>
public sealed class ClusterEventDeliveryTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int UploadsPerNode = 15;

    [Fact]
    public async Task Events_of_both_nodes_are_each_delivered_once()
    {
        await using var receiver = new WebhookReceiver();
        receiver.Answer = _ =>
        {
            Thread.Sleep(20);
            return 200;
        };
        var settings = EventRulesTests.Settings(receiver);
        settings["AccountStore__Provider"] = "PostgreSql";
        settings["AccountStore__ConnectionString"] = postgres.CreateDatabase();
        await using var first = await GatehouseServer.StartAsync(settings, prepare: all =>
            GatehouseServer.CliAsync(all, "rule", "add", "hook", "--on", "upload", "--webhook", receiver.Url()));
        var other = new Dictionary<string, string>(settings) { ["Ftp__PassivePorts"] = EventRulesTests.Settings(receiver)["Ftp__PassivePorts"] };
        await using var second = await GatehouseServer.StartAsync(other, users: []);

        await Task.WhenAll(
            FtpSteps.RunAsync(first, "alice", Enumerable.Range(0, UploadsPerNode).Select(i => $"stor /first-{i}.bin 100"), tls: false),
            FtpSteps.RunAsync(second, "alice", Enumerable.Range(0, UploadsPerNode).Select(i => $"stor /second-{i}.bin 100"), tls: false));

        Assert.True(await EventRulesTests.WaitForDeliveredAsync(first, 2 * UploadsPerNode), Clients.Tail(first.Output) + Clients.Tail(second.Output));
        await Task.Delay(EventDelay);
        var events = receiver.Requests.Select(request => request.Json).ToList();
        Assert.Equal(2 * UploadsPerNode, events.Count);
        Assert.Equal(2 * UploadsPerNode, events.Select(json => json.GetProperty("event").GetProperty("path").GetString()).Distinct().Count());
        Assert.Equal(2 * UploadsPerNode, events.Select(json => json.GetProperty("deliveryId").GetInt64()).Distinct().Count());
        var deliveredBy = new[] { first, second }.Select(node => EventRulesTests.CountOf(node.Output, "Rule 'hook' delivered event")).ToArray();
        Assert.Equal(2 * UploadsPerNode, deliveredBy.Sum());
    }

    /// <summary>Longer than the dispatcher's poll, so a second delivery of anything would have arrived.</summary>
    private static readonly TimeSpan EventDelay = TimeSpan.FromSeconds(5);
}
