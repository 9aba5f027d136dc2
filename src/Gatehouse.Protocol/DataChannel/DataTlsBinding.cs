using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Whether a data connection's TLS must have resumed its control connection's session (<see cref="DataTlsResumption"/>):
/// the proof that it comes from the client that logged in, where the address alone is shared with everyone behind the
/// same NAT.
/// </summary>
public static class DataTlsBinding
{
    /// <summary>The account's rule (the <c>data-tls-resumption</c> setting) where it has one, else the server's.</summary>
    public static DataTlsResumption Effective(DataTlsResumption server, string? account) => account switch
    {
        "optional" => DataTlsResumption.Optional,
        "sticky" => DataTlsResumption.Sticky,
        "required" => DataTlsResumption.Required,
        _ => server,
    };

    /// <summary>
    /// Why the data connection may not be used, or null when it may. <paramref name="resumedControl"/> is null where it
    /// cannot be told (no reachable OpenSSL): a rule that requires resumption then fails closed.
    /// </summary>
    public static string? Refusal(DataTlsResumption rule, bool? resumedControl, bool resumedBefore)
    {
        if (resumedControl == true || rule == DataTlsResumption.Optional || rule == DataTlsResumption.Sticky && !resumedBefore)
        {
            return null;
        }

        var what = resumedControl is null
            ? "whether it resumed cannot be checked on this system"
            : "it did not resume this control connection's TLS session";
        var why = rule == DataTlsResumption.Sticky ? "as an earlier data connection of this session did" : "which this account requires";
        return $"{what}, {why}";
    }
}
