using System.Net;
using Gatehouse.Protocol.Logging;

namespace Gatehouse.Protocol.Tests;

/// <summary>The transfer log read back for GET /api/v1/transfers: the lines <see cref="TransferLog"/> writes, searched.</summary>
public sealed class TransferHistoryTests : IDisposable
{
    private readonly string _log = Path.Combine(Path.GetTempPath(), $"gatehouse-xferlog-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_log);

    [Fact]
    public void Transfers_are_found_by_user_path_time_and_outcome_newest_first()
    {
        var start = new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
        File.WriteAllLines(_log,
        [
            TransferLog.FormatLine(start, TimeSpan.FromSeconds(3), IPAddress.Loopback, 100, "/in/orders 1.xml", false, TransferDirection.Incoming, "alice", true),
            "not an xferlog line",
            TransferLog.FormatLine(start.AddHours(1), TimeSpan.FromSeconds(1), IPAddress.Parse("192.0.2.9"), 5, "/out/prices.csv", false, TransferDirection.Outgoing, "bob", false),
            TransferLog.FormatLine(start.AddHours(2), TimeSpan.FromSeconds(2), IPAddress.Loopback, 7, "/in/orders-2.xml", false, TransferDirection.Incoming, "alice", true),
        ]);

        var alice = TransferHistory.Search(_log, new TransferQuery("alice", null, null, null, null, 100));
        Assert.Equal(["/in/orders-2.xml", "/in/orders_1.xml"], alice.Select(record => record.Path));
        Assert.Equal(start.AddHours(2), alice[0].Finished);
        Assert.Equal((TransferDirection.Incoming, 7L, true), (alice[0].Direction, alice[0].Bytes, alice[0].Complete));

        var failed = Assert.Single(TransferHistory.Search(_log, new TransferQuery(null, "prices", null, null, false, 100)));
        Assert.Equal(("bob", "192.0.2.9", TransferDirection.Outgoing), (failed.User, failed.Client, failed.Direction));
        Assert.Equal(["bob"], TransferHistory.Search(_log, new TransferQuery(null, null, start.AddMinutes(30), start.AddMinutes(90), null, 100)).Select(record => record.User));
        Assert.Equal(["/in/orders-2.xml"], TransferHistory.Search(_log, new TransferQuery(null, null, null, null, null, 1)).Select(record => record.Path));
        Assert.Empty(TransferHistory.Search(_log, new TransferQuery(null, null, null, null, null, 100), user => user == "carol"));
        Assert.Empty(TransferHistory.Search(_log + ".missing", new TransferQuery(null, null, null, null, null, 100)));
    }

    [Fact]
    public void The_volume_since_a_time_adds_up_each_direction_of_the_transfers_finished_since()
    {
        var midnight = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        File.WriteAllLines(_log,
        [
            TransferLog.FormatLine(midnight.AddMinutes(-1), TimeSpan.FromSeconds(3), IPAddress.Loopback, 1000, "/in/yesterday.xml", false, TransferDirection.Incoming, "alice", true),
            TransferLog.FormatLine(midnight.AddHours(1), TimeSpan.FromSeconds(3), IPAddress.Loopback, 100, "/in/a.xml", false, TransferDirection.Incoming, "alice", true),
            TransferLog.FormatLine(midnight.AddHours(2), TimeSpan.FromSeconds(3), IPAddress.Loopback, 20, "/in/b.xml", false, TransferDirection.Incoming, "bob", false),
            TransferLog.FormatLine(midnight.AddHours(3), TimeSpan.FromSeconds(3), IPAddress.Loopback, 5, "/out/c.csv", false, TransferDirection.Outgoing, "bob", true),
        ]);

        Assert.Equal((120L, 5L), TransferHistory.VolumeSince(_log, midnight));
        Assert.Equal((0L, 0L), TransferHistory.VolumeSince(_log + ".missing", midnight));
    }
}
