using Gatehouse.Accounts.Bans;
using Gatehouse.Protocol.Commands;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Tests;

public sealed class CommandStatesTests
{
    private static readonly CommandStateFacts LoggedIn = new(LoggedIn: true, ControlSecure: true, TlsRequired: true, Transferring: false, EpsvAll: false, UserPending: false, RenameSourcePending: false);
    private static readonly CommandStateFacts Connected = LoggedIn with { LoggedIn = false, ControlSecure = false };

    // Building the handlers uses none of the services, and reading their verbs needs none.
    private static readonly FtpCommandTable Table = FtpCommandTable.CreateDefault(
        new CommandServices(new GatehouseOptions(), Authenticator: null!, Logins: null!, FileSystems: null!, Bans: null!, AccountThrottle: null!, PassiveAddresses: null!, TimeProvider.System, Metrics: null!));

    private static IEnumerable<string> PrimaryVerbs() => Table.Handlers.Select(handler => handler.Info.Verbs[0]);

    [Fact]
    public void The_default_table_holds_every_handler_there_is()
    {
        var handlerTypes = typeof(IFtpCommandHandler).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IFtpCommandHandler).IsAssignableFrom(type));
        Assert.Equal(handlerTypes.OrderBy(type => type.Name), Table.Handlers.Select(handler => handler.GetType()).OrderBy(type => type.Name));
    }

    [Fact]
    public void Every_verb_the_table_names_has_a_handler_that_goes_by_it()
    {
        var verbs = PrimaryVerbs().ToHashSet();
        Assert.True(verbs.Count > 40);
        var named = CommandStates.BeforeLogin.Concat(CommandStates.NeedTls).Concat(CommandStates.DuringTransfer).Concat(CommandStates.RefusedAfterEpsvAll);
        Assert.Equal([], named.Where(verb => !verbs.Contains(verb)).ToList());
    }

    [Fact]
    public void Before_login_only_the_pre_login_set_runs_and_the_rest_is_refused_and_scored()
    {
        foreach (var verb in PrimaryVerbs().Except(["USER", "PASS"]))
        {
            var decision = CommandStates.Decide(verb, Connected with { ControlSecure = true });
            if (CommandStates.BeforeLogin.Contains(verb))
            {
                Assert.Equal(CommandVerdict.Run, decision.Verdict);
            }
            else
            {
                Assert.Equal(CommandVerdict.Refuse, decision.Verdict);
                Assert.Equal(530, decision.Refusal!.Code);
                Assert.Equal(AbuseKind.CommandBeforeLogin, decision.Abuse);
            }
        }
    }

    [Fact]
    public void User_on_a_plain_connection_is_refused_when_tls_is_required_and_not_when_it_is_optional()
    {
        var refused = CommandStates.Decide("USER", Connected);
        Assert.Equal(CommandVerdict.Refuse, refused.Verdict);
        Assert.Equal("530 TLS is required on this server: send AUTH TLS before USER (in your client, choose explicit FTP over TLS).\r\n", refused.Refusal!.Format());
        Assert.Null(refused.Abuse);
        Assert.Equal("before TLS: Tls:Policy is Required", refused.Detail);

        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("USER", Connected with { TlsRequired = false }).Verdict);
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("USER", Connected with { ControlSecure = true }).Verdict);
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("AUTH", Connected).Verdict);
    }

    [Fact]
    public void Pass_needs_user_first()
    {
        Assert.Equal("503 Send USER first.\r\n", CommandStates.Decide("PASS", Connected with { ControlSecure = true }).Refusal!.Format());
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("PASS", Connected with { ControlSecure = true, UserPending = true }).Verdict);
        // Logged in, PASS reaches its handler, which says so.
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("PASS", LoggedIn).Verdict);
    }

    [Fact]
    public void Rnto_needs_rnfr_right_before_it_and_only_rnfr_keeps_the_source()
    {
        Assert.Equal("503 Send RNFR immediately before RNTO.\r\n", CommandStates.Decide("RNTO", LoggedIn).Refusal!.Format());
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("RNTO", LoggedIn with { RenameSourcePending = true }).Verdict);
        Assert.True(CommandStates.KeepsRenameSource("RNFR"));
        Assert.False(CommandStates.KeepsRenameSource("NOOP"));
        Assert.False(CommandStates.KeepsRenameSource("RNTO"));
    }

    [Theory]
    [InlineData("PASV")]
    [InlineData("PORT")]
    [InlineData("EPRT")]
    public void After_epsv_all_only_epsv_sets_up_data_connections(string verb)
    {
        var decision = CommandStates.Decide(verb, LoggedIn with { EpsvAll = true });
        Assert.Equal("503 EPSV ALL is in effect: only EPSV may set up data connections.\r\n", decision.Refusal!.Format());
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide("EPSV", LoggedIn with { EpsvAll = true }).Verdict);
        Assert.Equal(CommandVerdict.Run, CommandStates.Decide(verb, LoggedIn).Verdict);
    }

    [Fact]
    public void During_a_transfer_abor_stat_noop_and_quit_run_at_once_and_the_rest_waits_for_its_end()
    {
        var transferring = LoggedIn with { Transferring = true };
        foreach (var verb in PrimaryVerbs())
        {
            var expected = CommandStates.DuringTransfer.Contains(verb) ? CommandVerdict.Run : CommandVerdict.RunAfterTransfer;
            Assert.Equal(expected, CommandStates.Decide(verb, transferring).Verdict);
        }

        // Refusals that depend on state are decided after the wait, so they follow the transfer's own reply.
        Assert.Equal(CommandVerdict.RunAfterTransfer, CommandStates.Decide("PASV", transferring with { EpsvAll = true }).Verdict);
        Assert.Equal(CommandVerdict.Refuse, CommandStates.Decide("LIST", transferring with { LoggedIn = false }).Verdict);
    }
}
