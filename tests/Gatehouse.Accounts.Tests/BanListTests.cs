using System.Net;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Networks;
using Gatehouse.Accounts.Store;
using Gatehouse.Tests.Shared;

namespace Gatehouse.Accounts.Tests;

public sealed class SqliteBanListTests() : BanListTests(new SqliteTestDatabase());

[Collection(PostgresCollection.Name)]
public sealed class PostgresBanListTests(PostgresServer server) : BanListTests(new PostgresTestDatabase(server));

public abstract class BanListTests(TestDatabase database) : IDisposable
{
    private static readonly IPAddress Attacker = IPAddress.Parse("203.0.113.9");
    private readonly ManualTime _time = new();

    public void Dispose()
    {
        database.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Each call opens the store anew, as a restarted server or another node does.</summary>
    private SqlBanStore Store() => new(database.Open());

    private BanList Bans(NetworkList? exempt = null) =>
        new(Store(), new BanPolicy(true, 6, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromHours(2), TimeSpan.FromHours(24), exempt ?? NetworkList.Empty), _time);

    [Fact]
    public async Task Failed_logins_score_two_points_and_the_threshold_bans()
    {
        var bans = Bans();
        Assert.Null(await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "1", CancellationToken.None));
        Assert.Null(await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "2", CancellationToken.None));
        var ban = await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "3", CancellationToken.None);
        Assert.NotNull(ban);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(15), ban.BannedUntil);
        Assert.True(bans.IsBanned(Attacker, out _));
        Assert.True(bans.IsBanned(IPAddress.Parse("::ffff:203.0.113.9"), out _));
        Assert.False(bans.IsBanned(IPAddress.Parse("203.0.113.10"), out _));
    }

    [Fact]
    public async Task Points_older_than_the_window_no_longer_count()
    {
        var bans = Bans();
        await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "1", CancellationToken.None);
        await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "2", CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "3", CancellationToken.None));
        Assert.False(bans.IsBanned(Attacker, out _));
    }

    [Fact]
    public async Task A_ban_expires_and_repeat_offences_double_it_up_to_the_maximum()
    {
        var bans = Bans();
        var durations = new List<TimeSpan>();
        for (var offence = 0; offence < 5; offence++)
        {
            BanRecord? ban = null;
            for (var i = 0; i < 6 && ban is null; i++)
            {
                ban = await bans.ReportAsync(Attacker, AbuseKind.ProtocolError, "garbage", CancellationToken.None);
            }

            durations.Add(ban!.BannedUntil - _time.GetUtcNow());
            _time.Advance(ban.BannedUntil - _time.GetUtcNow() + TimeSpan.FromSeconds(1));
            Assert.False(bans.IsBanned(Attacker, out _));
        }

        Assert.Equal([TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60), TimeSpan.FromHours(2), TimeSpan.FromHours(2)], durations);
    }

    [Fact]
    public async Task After_the_offence_memory_passes_without_a_ban_the_next_ban_is_the_first_length_again()
    {
        var bans = Bans();
        await ReportUntilBannedAsync(bans);
        _time.Advance(TimeSpan.FromMinutes(16));
        await ReportUntilBannedAsync(bans);
        Assert.True(bans.IsBanned(Attacker, out var second));
        Assert.Equal(TimeSpan.FromMinutes(30), second.BannedUntil - _time.GetUtcNow());

        _time.Advance(TimeSpan.FromHours(25));
        await ReportUntilBannedAsync(bans);
        Assert.True(bans.IsBanned(Attacker, out var afterMemory));
        Assert.Equal(TimeSpan.FromMinutes(15), afterMemory.BannedUntil - _time.GetUtcNow());
    }

    [Fact]
    public async Task Bans_survive_a_restart_and_removal_is_picked_up_on_refresh()
    {
        await ReportUntilBannedAsync(Bans());
        var restarted = Bans();
        Assert.False(restarted.IsBanned(Attacker, out _));
        await restarted.RefreshAsync(CancellationToken.None);
        Assert.True(restarted.IsBanned(Attacker, out var ban));
        Assert.Equal("FailedLogin: x", ban.Reason);

        Assert.True(await Store().RemoveAsync("203.0.113.9", CancellationToken.None));
        await restarted.RefreshAsync(CancellationToken.None);
        Assert.False(restarted.IsBanned(Attacker, out _));
    }

    [Fact]
    public async Task Exempt_networks_are_never_banned()
    {
        var bans = Bans(NetworkList.TryParse("203.0.113.0/24", out var exempt, out _) ? exempt : null);
        for (var i = 0; i < 20; i++)
        {
            Assert.Null(await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "x", CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_ban_the_store_could_not_take_holds_through_reloads_and_is_written_when_it_is_back()
    {
        var store = new AwayableBanStore(Store()) { Away = true };
        var bans = new BanList(store, new BanPolicy(true, 6, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromHours(2), TimeSpan.FromHours(24), NetworkList.Empty), _time);
        await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "1", CancellationToken.None);
        await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "2", CancellationToken.None);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "3", CancellationToken.None));
        Assert.True(bans.IsBanned(Attacker, out _));

        store.Away = false;
        await bans.RefreshAsync(CancellationToken.None);
        Assert.True(bans.IsBanned(Attacker, out _));
        Assert.Equal(Attacker.ToString(), Assert.Single(await Store().ListAsync(CancellationToken.None)).Address);
        Assert.Equal(0, await bans.WriteBackAsync(CancellationToken.None));
    }

    private sealed class AwayableBanStore(IBanStore store) : IBanStore
    {
        public bool Away { get; set; }

        public Task<IReadOnlyList<BanRecord>> ListAsync(CancellationToken cancellationToken) => Away ? Unreachable<IReadOnlyList<BanRecord>>() : store.ListAsync(cancellationToken);

        public Task SaveAsync(BanRecord ban, CancellationToken cancellationToken) => Away ? Unreachable<int>() : store.SaveAsync(ban, cancellationToken);

        public Task<bool> RemoveAsync(string address, CancellationToken cancellationToken) => Away ? Unreachable<bool>() : store.RemoveAsync(address, cancellationToken);

        private static Task<T> Unreachable<T>() => Task.FromException<T>(new StoreUnavailableException("test store", new TimeoutException("no answer")));
    }

    private static async Task ReportUntilBannedAsync(BanList bans)
    {
        for (var i = 0; i < 3; i++)
        {
            await bans.ReportAsync(Attacker, AbuseKind.FailedLogin, "x", CancellationToken.None);
        }
    }
}
