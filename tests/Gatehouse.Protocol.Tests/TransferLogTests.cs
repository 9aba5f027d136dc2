using Gatehouse.Protocol.Logging;

namespace Gatehouse.Protocol.Tests;

public sealed class TransferLogTests
{
    [Fact]
    public void A_full_disk_is_reported_not_thrown() // /dev/full: every write fails with ENOSPC
    {
        using var log = new TransferLog("/dev/full");

        var problem = log.Write(new string('x', 8192));

        Assert.NotNull(problem);
    }
}
