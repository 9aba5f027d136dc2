using System.Net;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Tests.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Protocol.Tests;

public sealed class RefusalLogTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Other = IPAddress.Parse("198.51.100.8");
    private readonly CapturedLogs _logs = new();
    private readonly FakeTimeProvider _time = new();

    private List<string> Lines => _logs.Entries.Select(entry => entry.Message).ToList();

    [Fact]
    public void Repeated_refusals_of_an_address_are_logged_once_a_minute_with_a_count()
    {
        var log = new RefusalLog(_logs.CreateLogger("test"), _time);
        for (var i = 0; i < 1000; i++)
        {
            log.Refused(Flooder, "banned until tomorrow");
        }

        log.Refused(Other, "banned until tomorrow");
        Assert.Equal(["Connection from 198.51.100.7 refused: banned until tomorrow", "Connection from 198.51.100.8 refused: banned until tomorrow"], Lines);

        _time.Advance(RefusalLog.Interval);
        log.Refused(Flooder, "banned until tomorrow");
        Assert.Equal("Connection from 198.51.100.7 refused: banned until tomorrow (999 more refusal(s) since the last line about it)", Lines[^1]);
    }

    [Fact]
    public void A_new_reason_is_logged_at_once()
    {
        var log = new RefusalLog(_logs.CreateLogger("test"), _time);
        log.Refused(Flooder, "too many connections from your address");
        log.Refused(Flooder, "too many connections from your address");
        log.Refused(Flooder, "banned until tomorrow");
        Assert.Equal(
            ["Connection from 198.51.100.7 refused: too many connections from your address", "Connection from 198.51.100.7 refused: banned until tomorrow (1 more refusal(s) since the last line about it)"],
            Lines);
    }
}
