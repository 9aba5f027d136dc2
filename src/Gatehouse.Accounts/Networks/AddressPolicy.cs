using System.Net;

namespace Gatehouse.Accounts.Networks;

/// <summary>Allow and deny lists together: a denied address is refused; with an allow list, only listed addresses pass.</summary>
public sealed record AddressPolicy(NetworkList Allowed, NetworkList Denied)
{
    public static AddressPolicy Open { get; } = new(NetworkList.Empty, NetworkList.Empty);

    /// <returns>Null when allowed, else the reason for the log.</returns>
    public string? Check(IPAddress address)
    {
        if (Denied.Contains(address))
        {
            return $"{address} is in a denied network ({Denied})";
        }

        return Allowed.IsEmpty || Allowed.Contains(address) ? null : $"{address} is not in the allowed networks ({Allowed})";
    }
}
