using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.DataChannel;

namespace Gatehouse.Protocol.Tests;

public sealed class DataTlsBindingTests
{
    [Theory]
    [InlineData(DataTlsResumption.Optional, null, DataTlsResumption.Optional)]
    [InlineData(DataTlsResumption.Optional, "required", DataTlsResumption.Required)]
    [InlineData(DataTlsResumption.Required, "optional", DataTlsResumption.Optional)]
    [InlineData(DataTlsResumption.Required, "sticky", DataTlsResumption.Sticky)]
    public void The_accounts_own_rule_replaces_the_servers(DataTlsResumption server, string? account, DataTlsResumption effective) =>
        Assert.Equal(effective, DataTlsBinding.Effective(server, account));

    [Theory]
    [InlineData(DataTlsResumption.Optional, false, false, true)]
    [InlineData(DataTlsResumption.Optional, null, true, true)]
    [InlineData(DataTlsResumption.Sticky, false, false, true)]
    [InlineData(DataTlsResumption.Sticky, true, true, true)]
    [InlineData(DataTlsResumption.Sticky, false, true, false)]
    [InlineData(DataTlsResumption.Sticky, null, true, false)]
    [InlineData(DataTlsResumption.Required, true, false, true)]
    [InlineData(DataTlsResumption.Required, false, false, false)]
    [InlineData(DataTlsResumption.Required, null, false, false)]
    public void A_data_connection_is_taken_unless_its_rule_requires_a_resumption_it_lacks(DataTlsResumption rule, bool? resumedControl, bool resumedBefore, bool taken) =>
        Assert.Equal(taken, DataTlsBinding.Refusal(rule, resumedControl, resumedBefore) is null);

    [Fact]
    public void Where_resumption_cannot_be_checked_the_refusal_says_so()
    {
        var reason = DataTlsBinding.Refusal(DataTlsResumption.Required, null, false);
        Assert.Equal("whether it resumed cannot be checked on this system, which this account requires", reason);
    }
}
