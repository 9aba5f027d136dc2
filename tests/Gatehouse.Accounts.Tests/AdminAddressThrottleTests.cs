using Gatehouse.Accounts.Admin;

namespace Gatehouse.Accounts.Tests;

public sealed class AdminAddressThrottleTests
{
    [Fact]
    public void An_address_is_blocked_after_the_maximum_failures_until_its_window_ends_and_others_are_not()
    {
        var time = new ManualTime();
        var throttle = new AdminAddressThrottle(time);
        var start = time.GetUtcNow();
        for (var failure = 1; failure < AdminAddressThrottle.MaxFailures; failure++)
        {
            Assert.Equal(failure, throttle.Fail("192.0.2.9"));
            Assert.Null(throttle.BlockedUntil("192.0.2.9"));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        throttle.Fail("192.0.2.9");
        Assert.Equal(start + AdminAddressThrottle.Window, throttle.BlockedUntil("192.0.2.9"));
        Assert.Null(throttle.BlockedUntil("192.0.2.10"));

        time.Advance(AdminAddressThrottle.Window);
        Assert.Null(throttle.BlockedUntil("192.0.2.9"));
        Assert.Equal(1, throttle.Fail("192.0.2.9"));
    }

    [Fact]
    public void At_most_the_maximum_of_addresses_is_tracked_and_a_full_table_forgets_the_oldest_first()
    {
        var time = new ManualTime();
        var throttle = new AdminAddressThrottle(time);
        for (var failure = 0; failure < AdminAddressThrottle.MaxFailures; failure++)
        {
            throttle.Fail("oldest");
        }

        for (var i = 1; i < AdminAddressThrottle.MaxAddresses; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            throttle.Fail($"address-{i}");
        }

        Assert.NotNull(throttle.BlockedUntil("oldest"));
        throttle.Fail("one-more");
        Assert.Null(throttle.BlockedUntil("oldest"));
    }
}
