using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.DataChannel;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Protocol.Tests;

public class DnsHostNameResolverTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_name_is_looked_up_once_per_refresh_interval_and_follows_a_changed_address()
    {
        var dns = new FakeDns("198.18.0.1");
        var time = new ManualTime();
        var resolver = new DnsHostNameResolver(time, Refresh, NullLogger.Instance, dns.LookUpAsync);

        Assert.Equal(IPAddress.Parse("198.18.0.1"), await resolver.ResolveIPv4Async("ftp.example.test", default));
        dns.Answer = "198.18.0.2";
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(IPAddress.Parse("198.18.0.1"), await resolver.ResolveIPv4Async("ftp.example.test", default));
        Assert.Equal(1, dns.Queries);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(IPAddress.Parse("198.18.0.2"), await resolver.ResolveIPv4Async("ftp.example.test", default));
        Assert.Equal(2, dns.Queries);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_last_address_and_a_name_never_resolved_gives_none()
    {
        var dns = new FakeDns("198.18.0.1");
        var time = new ManualTime();
        var resolver = new DnsHostNameResolver(time, Refresh, NullLogger.Instance, dns.LookUpAsync);
        await resolver.ResolveIPv4Async("ftp.example.test", default);

        dns.Answer = null;
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(IPAddress.Parse("198.18.0.1"), await resolver.ResolveIPv4Async("ftp.example.test", default));
        Assert.Null(await resolver.ResolveIPv4Async("other.example.test", default));
    }

    private sealed class FakeDns(string? answer)
    {
        public string? Answer { get; set; } = answer;

        public int Queries { get; private set; }

        public Task<IPAddress[]> LookUpAsync(string hostName, CancellationToken cancellationToken)
        {
            Queries++;
            return Answer is null
                ? Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound))
                : Task.FromResult(new[] { IPAddress.Parse(Answer) });
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
