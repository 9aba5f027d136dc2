using System.Net;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Tests;

public sealed class DataChannelPolicyTests
{
    [Theory]
    [InlineData(TlsPolicy.Required, false, true)]
    [InlineData(TlsPolicy.Optional, true, true)]
    [InlineData(TlsPolicy.Optional, false, false)]
    [InlineData(TlsPolicy.Disabled, false, false)]
    public void Encryption_is_required_by_the_server_policy_or_by_the_user(TlsPolicy server, bool user, bool required) =>
        Assert.Equal(required, DataChannelPolicy.EncryptionRequired(server, user));

    [Fact]
    public void A_transfer_without_encryption_where_it_is_required_is_refused_with_521_before_anything_else()
    {
        Assert.Equal(521, DataChannelPolicy.TransferRefusal(encryptionRequired: true, DataProtection.Clear, hasEndpoint: false)!.Code);
        Assert.Equal(521, DataChannelPolicy.TransferRefusal(encryptionRequired: true, DataProtection.Clear, hasEndpoint: true)!.Code);
    }

    [Fact]
    public void A_transfer_without_pasv_or_port_first_is_refused_with_425()
    {
        var refusal = DataChannelPolicy.TransferRefusal(encryptionRequired: true, DataProtection.Private, hasEndpoint: false);
        Assert.Equal("425 Use PASV or EPSV (or PORT/EPRT) before this command.\r\n", refusal!.Format());
        Assert.Equal(425, DataChannelPolicy.TransferRefusal(encryptionRequired: false, DataProtection.Clear, hasEndpoint: false)!.Code);
    }

    [Theory]
    [InlineData(true, DataProtection.Private)]
    [InlineData(false, DataProtection.Clear)]
    [InlineData(false, DataProtection.Private)]
    public void A_prepared_transfer_that_meets_the_encryption_rule_goes(bool required, DataProtection protection) =>
        Assert.Null(DataChannelPolicy.TransferRefusal(required, protection, hasEndpoint: true));

    [Fact]
    public void Clear_data_is_refused_only_when_the_server_requires_tls()
    {
        Assert.Equal("534 This server requires encrypted data connections: use PROT P.\r\n", DataChannelPolicy.ClearDataRefusal(TlsPolicy.Required)!.Format());
        Assert.Null(DataChannelPolicy.ClearDataRefusal(TlsPolicy.Optional));
    }

    [Fact]
    public void Active_mode_is_refused_with_502_when_turned_off()
    {
        Assert.Equal(502, DataChannelPolicy.ActiveModeRefusal(allowed: false)!.Code);
        Assert.Null(DataChannelPolicy.ActiveModeRefusal(allowed: true));
    }

    [Fact]
    public void Active_mode_connects_only_to_the_control_client_address_and_unprivileged_ports()
    {
        var client = IPAddress.Parse("198.51.100.7");
        Assert.True(DataChannelPolicy.IsActiveTargetAllowed(new IPEndPoint(client, 40000), client, out _));
        Assert.True(DataChannelPolicy.IsActiveTargetAllowed(new IPEndPoint(client, 1024), IPAddress.Parse("::ffff:198.51.100.7"), out _));

        Assert.False(DataChannelPolicy.IsActiveTargetAllowed(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40000), client, out var bounce));
        Assert.Contains("only connect back to your own address", bounce, StringComparison.Ordinal);
        Assert.False(DataChannelPolicy.IsActiveTargetAllowed(new IPEndPoint(client, 25), client, out var privileged));
        Assert.Contains("privileged port 25", privileged, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passive_port_is_taken_only_from_its_owners_address_unless_the_rule_is_off()
    {
        var owner = IPAddress.Parse("198.51.100.7");
        Assert.True(DataChannelPolicy.MayTakePassivePort(owner, IPAddress.Parse("198.51.100.7")));
        Assert.True(DataChannelPolicy.MayTakePassivePort(owner, IPAddress.Parse("::ffff:198.51.100.7")));
        Assert.False(DataChannelPolicy.MayTakePassivePort(owner, IPAddress.Parse("198.51.100.8")));
        Assert.True(DataChannelPolicy.MayTakePassivePort(null, IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void Tls_before_the_command_is_answered_under_prot_p_only_and_serves_only_a_command_under_prot_p()
    {
        Assert.True(DataChannelPolicy.AnswersTlsBeforeCommand(DataProtection.Private));
        Assert.False(DataChannelPolicy.AnswersTlsBeforeCommand(DataProtection.Clear));
        Assert.Null(DataChannelPolicy.TlsBeforeCommandRefusal(securedBeforeCommand: true, DataProtection.Private));
        Assert.Null(DataChannelPolicy.TlsBeforeCommandRefusal(securedBeforeCommand: false, DataProtection.Clear));
        Assert.StartsWith("Your client started TLS on this data connection, but PROT C is now in force",
            DataChannelPolicy.TlsBeforeCommandRefusal(securedBeforeCommand: true, DataProtection.Clear));
    }
}
