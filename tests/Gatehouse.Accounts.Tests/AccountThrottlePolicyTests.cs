using Gatehouse.Accounts.Bans;

namespace Gatehouse.Accounts.Tests;

public sealed class AccountThrottlePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly AccountThrottlePolicy Policy = new(true, 5, TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    [Fact]
    public void An_address_that_has_not_failed_for_the_name_is_answered_at_once_however_many_others_failed()
    {
        var decision = Policy.Decide(new AccountFailures(Total: 500, FromAddress: 0, Addresses: 200, Latest: Now + TimeSpan.FromSeconds(29)), Now);
        Assert.Equal(TimeSpan.Zero, decision.Wait);
        Assert.False(decision.Delayed);
    }

    [Fact]
    public void The_first_failures_of_a_name_are_free()
    {
        Assert.False(Policy.Decide(new AccountFailures(4, 4, 1, Now), Now).Delayed);
        Assert.Equal(TimeSpan.FromSeconds(1), Policy.Decide(new AccountFailures(5, 1, 5, Now), Now).Wait);
    }

    [Fact]
    public void The_spacing_doubles_with_each_failure_up_to_the_longest_delay()
    {
        Assert.Equal(
            [0, 0, 1, 2, 4, 8, 16, 30, 30],
            new[] { 0, 4, 5, 6, 7, 8, 9, 10, 1000 }.Select(failures => Policy.SpacingAfter(failures).TotalSeconds));
    }

    [Fact]
    public void Attempts_are_spaced_from_the_latest_answer_not_from_their_arrival()
    {
        // A guesser who waits out the spacing himself is not held any further: the limit is the rate, not the wait.
        Assert.Equal(TimeSpan.Zero, Policy.Decide(new AccountFailures(6, 2, 3, Now - TimeSpan.FromSeconds(3)), Now).Wait);
        Assert.Equal(TimeSpan.FromSeconds(1), Policy.Decide(new AccountFailures(6, 2, 3, Now - TimeSpan.FromSeconds(1)), Now).Wait);

        // Parallel connections queue: the answer already promised 10 s ahead pushes this one to 10 s + the spacing.
        var queued = Policy.Decide(new AccountFailures(7, 1, 3, Now + TimeSpan.FromSeconds(10)), Now);
        Assert.Equal(Now + TimeSpan.FromSeconds(14), queued.AnswerAt);
        Assert.False(queued.Refused);
    }

    [Fact]
    public void An_attempt_that_would_wait_longer_than_the_longest_delay_is_refused()
    {
        var full = Policy.Decide(new AccountFailures(40, 3, 10, Now + TimeSpan.FromSeconds(1)), Now);
        Assert.True(full.Refused);
        Assert.Equal(TimeSpan.FromSeconds(31), full.Wait);
        Assert.False(Policy.Decide(new AccountFailures(40, 3, 10, Now), Now).Refused);
    }

    [Fact]
    public void A_disabled_policy_never_holds()
    {
        Assert.False((Policy with { Enabled = false }).Decide(new AccountFailures(40, 40, 1, Now + TimeSpan.FromSeconds(20)), Now).Delayed);
    }

    [Fact]
    public void Names_differing_only_in_case_share_one_queue()
    {
        Assert.Equal(AccountThrottlePolicy.Key("alice"), AccountThrottlePolicy.Key("ALICE"));
    }
}
