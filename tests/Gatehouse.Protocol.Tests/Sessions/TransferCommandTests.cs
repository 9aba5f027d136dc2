using System.Text;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Tests.Sessions;

/// <summary>Data-connection and transfer verbs through a real session; the data connections are loopback sockets.</summary>
public sealed class TransferCommandTests
{
    private static async Task<SessionHarness> LoggedInAsync(Action<Configuration.GatehouseOptions>? configure = null)
    {
        var session = await SessionHarness.StartAsync(configure);
        await session.LoginAsync();
        Assert.StartsWith("200 ", await session.SendAsync("TYPE I"));
        return session;
    }

    [Fact]
    public async Task Pasv_and_epsv_announce_a_port_of_the_range_and_epsv_all_refuses_the_others()
    {
        await using var session = await LoggedInAsync();
        Assert.Matches(@"^227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)\.\r\n$", await session.SendAsync("PASV"));
        Assert.Matches(@"^229 Entering Extended Passive Mode \(\|\|\|\d+\|\)\.\r\n$", await session.SendAsync("EPSV"));
        Assert.StartsWith("200 EPSV ALL accepted", await session.SendAsync("EPSV ALL"));
        Assert.StartsWith("503 EPSV ALL is in effect", await session.SendAsync("PASV"));
        Assert.StartsWith("503 EPSV ALL is in effect", await session.SendAsync("PORT 127,0,0,1,200,10"));
        Assert.StartsWith("503 EPSV ALL is in effect", await session.SendAsync("EPRT |1|127.0.0.1|51210|"));
    }

    [Fact]
    public async Task Port_and_eprt_accept_the_clients_own_address_and_refuse_a_bounce()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("200 PORT command successful.", await session.SendAsync("PORT 127,0,0,1,200,10"));
        Assert.StartsWith("200 EPRT command successful.", await session.SendAsync("EPRT |1|127.0.0.1|51210|"));
        Assert.StartsWith("504 Active mode may only connect back to your own address", await session.SendAsync("PORT 192,0,2,7,200,10"));
        Assert.StartsWith("504 Active mode may not connect to privileged port 25", await session.SendAsync("EPRT |1|127.0.0.1|25|"));
        Assert.StartsWith("501 ", await session.SendAsync("PORT 1,2,3"));
    }

    [Fact]
    public async Task Active_mode_is_refused_when_turned_off()
    {
        await using var session = await LoggedInAsync(options => options.Ftp.AllowActiveMode = false);
        Assert.StartsWith("502 Active mode is disabled on this server", await session.SendAsync("PORT 127,0,0,1,200,10"));
    }

    [Fact]
    public async Task A_transfer_without_pasv_or_port_is_refused_and_without_prot_p_where_tls_is_required_too()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/x.bin", [1]);
        Assert.StartsWith("425 Use PASV or EPSV (or PORT/EPRT) before this command.", await session.SendAsync("RETR x.bin"));
        Assert.StartsWith("425 ", await session.SendAsync("STOR y.bin"));
        Assert.StartsWith("425 ", await session.SendAsync("LIST"));
    }

    [Fact]
    public async Task Stor_then_retr_round_trips_and_is_recorded_once()
    {
        await using var session = await LoggedInAsync();
        var content = Encoding.UTF8.GetBytes(new string('x', 100_000));
        Assert.StartsWith("226 Transfer complete; stored as /up.bin.", await session.SendDataAsync("STOR up.bin", content));
        Assert.Equal(content, session.Files.ReadFile("/up.bin"));
        var (back, reply) = await session.ReceiveAsync("RETR up.bin");
        Assert.StartsWith("226 ", reply);
        Assert.Equal(content, back);

        Assert.Collection(session.Finished,
            upload => Assert.Equal(("/up.bin", TransferDirection.Incoming, 100_000L, TransferOutcome.Complete, "alice"), (upload.Path, upload.Direction, upload.Bytes, upload.Outcome, upload.User)),
            download => Assert.Equal(("/up.bin", TransferDirection.Outgoing, 100_000L, TransferOutcome.Complete), (download.Path, download.Direction, download.Bytes, download.Outcome)));
    }

    [Fact]
    public async Task Rest_then_retr_sends_the_rest_and_appe_appends()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/log.txt", Encoding.ASCII.GetBytes("0123456789"));
        Assert.StartsWith("350 ", await session.SendAsync("REST 6"));
        Assert.Equal("6789", Encoding.ASCII.GetString((await session.ReceiveAsync("RETR log.txt")).Data));
        Assert.StartsWith("226 ", await session.SendDataAsync("APPE log.txt", Encoding.ASCII.GetBytes("ab")));
        Assert.Equal("0123456789ab", Encoding.ASCII.GetString(session.Files.ReadFile("/log.txt")));
    }

    [Fact]
    public async Task Stou_stores_under_a_new_name()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/report.csv", [1]);
        var reply = await session.SendDataAsync("STOU report.csv", [2, 3]);
        Assert.StartsWith("226 ", reply);
        Assert.Equal([1], session.Files.ReadFile("/report.csv"));
    }

    [Fact]
    public async Task List_nlst_and_mlsd_describe_the_directory()
    {
        await using var session = await LoggedInAsync();
        session.Files.AddFile("/a.txt", [1, 2]);
        Assert.StartsWith("257 ", await session.SendAsync("MKD sub"));

        var (nlst, _) = await session.ReceiveAsync("NLST");
        Assert.Equal(["a.txt", "sub"], Encoding.UTF8.GetString(nlst).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var (list, _) = await session.ReceiveAsync("LIST");
        Assert.Contains(" a.txt\r\n", Encoding.UTF8.GetString(list), StringComparison.Ordinal);
        var (mlsd, reply) = await session.ReceiveAsync("MLSD");
        Assert.StartsWith("226 ", reply);
        Assert.Contains("type=dir;", Encoding.UTF8.GetString(mlsd), StringComparison.Ordinal);
        Assert.Contains("size=2;", Encoding.UTF8.GetString(mlsd), StringComparison.Ordinal);
        Assert.Empty(session.Finished);
    }

    [Fact]
    public async Task Retr_of_a_missing_file_is_550_and_abor_without_a_transfer_is_225()
    {
        await using var session = await LoggedInAsync();
        Assert.StartsWith("227 ", await session.SendAsync("PASV"));
        Assert.StartsWith("550 ", await session.SendAsync("RETR missing.bin"));
        Assert.StartsWith("225 ", await session.SendAsync("ABOR"));
    }
}
