using System.Globalization;

namespace Gatehouse.Protocol.Configuration;

public readonly record struct PortRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public override string ToString() => $"{First}-{Last}";

    public static bool TryParse(string? text, out PortRange range, out string error)
    {
        range = default;
        error = string.Empty;
        var parts = (text ?? string.Empty).Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            error = $"'{text}' is not a port range; use the form FIRST-LAST, for example 50000-50099";
            return false;
        }

        if (first < 1024 || last > 65535)
        {
            error = $"'{text}' must lie within 1024-65535 (privileged ports are never used for data)";
            return false;
        }

        if (first > last)
        {
            error = $"'{text}' starts after it ends; write the lower port first, for example {last}-{first}";
            return false;
        }

        range = new PortRange(first, last);
        return true;
    }
}
