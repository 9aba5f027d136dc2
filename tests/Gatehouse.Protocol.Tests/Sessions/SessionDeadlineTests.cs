using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Protocol.Tests.Sessions;

public sealed class SessionDeadlineTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<(string Reason, FtpReply Reply)> _expired = [];

    private SessionDeadline Deadline(bool underPressure) =>
        new(_time, new LoginTimeouts(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), () => underPressure), TimeSpan.FromSeconds(600), () => false, (reason, reply) => _expired.Add((reason, reply)));

    [Fact]
    public async Task A_login_on_a_server_that_is_not_crowded_gets_the_whole_login_time_out()
    {
        await using var deadline = Deadline(underPressure: false);
        deadline.StartLogin();
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(49));
        Assert.Empty(_expired);
        _time.Advance(TimeSpan.FromSeconds(1));
        var (reason, reply) = Assert.Single(_expired);
        Assert.Equal("login time-out", reason);
        Assert.Equal("421 Login time-out (60 s); closing the control connection.\r\n", reply.Format());
    }

    [Fact]
    public async Task A_login_on_a_crowded_server_gets_the_short_time_out()
    {
        await using var deadline = Deadline(underPressure: true);
        deadline.StartLogin();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("421 Login time-out (10 s); closing the control connection.\r\n", Assert.Single(_expired).Reply.Format());
    }

    [Fact]
    public async Task The_idle_time_out_follows_the_login()
    {
        await using var deadline = Deadline(underPressure: true);
        deadline.StartLogin();
        deadline.StartIdle();
        _time.Advance(TimeSpan.FromSeconds(599));
        Assert.Empty(_expired);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("idle time-out", Assert.Single(_expired).Reason);
    }
}
