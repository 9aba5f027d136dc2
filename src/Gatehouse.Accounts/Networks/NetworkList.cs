using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Accounts.Networks;

/// <summary>
/// A set of CIDR networks ("10.0.0.0/8", "2001:db8::/32", a bare address). IPv4-mapped IPv6 addresses, on
/// either side, are compared as the IPv4 addresses they carry, so a dual-stack listener cannot be used to slip
/// past an IPv4 rule.
/// </summary>
public sealed class NetworkList
{
    private readonly IPNetwork[] _networks;

    private NetworkList(IPNetwork[] networks, string text)
    {
        _networks = networks;
        Text = text;
    }

    public static NetworkList Empty { get; } = new([], string.Empty);

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>The normalized list, comma-separated.</summary>
    public string Text { get; }

    public bool Contains(IPAddress address)
    {
        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _networks)
        {
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return false;
    }

    public static bool TryParse(IEnumerable<string> entries, out NetworkList list, out string error)
    {
        var networks = new List<IPNetwork>();
        foreach (var raw in entries.Select(entry => entry.Trim()).Where(entry => entry.Length > 0))
        {
            if (!TryParseOne(raw, out var network))
            {
                list = Empty;
                error = $"'{raw}' is not a network; write CIDR such as 192.0.2.0/24 or 2001:db8::/32, or a single address";
                return false;
            }

            networks.Add(network);
        }

        list = networks.Count == 0 ? Empty : new NetworkList([.. networks], string.Join(',', networks));
        error = string.Empty;
        return true;
    }

    /// <summary>Parses a comma-separated list ("10.0.0.0/8,192.0.2.7").</summary>
    public static bool TryParse(string? text, out NetworkList list, out string error) =>
        TryParse((text ?? string.Empty).Split(','), out list, out error);

    public static NetworkList Union(IEnumerable<NetworkList> lists)
    {
        var all = lists.SelectMany(list => list._networks).Distinct().ToArray();
        return all.Length == 0 ? Empty : new NetworkList(all, string.Join(',', all));
    }

    public override string ToString() => IsEmpty ? "(none)" : Text;

    private static bool TryParseOne(string text, out IPNetwork network)
    {
        network = default;
        if (!text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(text, out var single))
            {
                return false;
            }

            text = $"{single}/{(single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}";
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var address) || !int.TryParse(text.AsSpan(slash + 1), out var prefix))
        {
            return false;
        }

        // inet_aton's short forms ("10.1" is 10.0.0.1) would silently mean something else than the administrator wrote.
        if (address.AddressFamily == AddressFamily.InterNetwork && text.AsSpan(0, slash).Count('.') != 3)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix < 0 || prefix > bits)
        {
            return false;
        }

        // Host bits set ("10.1.2.3/8") are cleared rather than refused; administrators write it that way.
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bits; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }
}
