using System.Diagnostics.Metrics;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Logging;

namespace Gatehouse.Protocol.Tests;

/// <summary>The transfer hot path: counting a block in gatehouse.transfer.bytes allocates nothing, with a listener collecting.</summary>
public sealed class TransferMetricsCostTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Counting_a_block_allocates_nothing_and_every_byte_reaches_the_listener(bool perUser)
    {
        using var meter = new Meter("Gatehouse.CostTest." + perUser);
        var metrics = new GatehouseMetrics(meter, new MetricsOptions { PerUser = perUser });
        long collected = 0;
        var tags = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, subscriber) =>
            {
                if (instrument.Meter == meter)
                {
                    subscriber.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, attributes, _) => (collected, tags) = (collected + value, attributes.Length));
        listener.Start();

        var progress = new TransferProgress(metrics.TransferBytes(TransferDirection.Incoming, "alice"));
        progress.Add(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var block = 0; block < 10_000; block++)
        {
            progress.Add(1 << 20);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(progress.Bytes, collected);
        Assert.Equal(perUser ? 2 : 1, tags);
    }
}
