using System.Globalization;
using Gatehouse.Accounts.Networks;

namespace Gatehouse.Accounts.Access;

/// <summary>Parsing and normalizing the values administrators write for settings ("10G", "unlimited", "2027-01-31").</summary>
public static class SettingValues
{
    public const string Unlimited = "unlimited";
    public const string On = "on";
    public const string Off = "off";

    /// <summary>A switch: on or off (also yes/no, true/false), stored as on or off.</summary>
    public static bool TryNormalizeSwitch(string text, out string normalized, out string error)
    {
        normalized = text.Trim().ToLowerInvariant() switch
        {
            "on" or "yes" or "true" => On,
            "off" or "no" or "false" => Off,
            _ => string.Empty,
        };
        error = normalized.Length > 0 ? string.Empty : $"'{text}' is not a switch; write on or off";
        return error.Length == 0;
    }

    /// <summary>Bytes with an optional binary suffix: 500M, 10G, 1.5T, 4096.</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var trimmed = text.Trim().ToUpperInvariant().Replace("IB", string.Empty, StringComparison.Ordinal).TrimEnd('B');
        if (trimmed.Length == 0)
        {
            return false;
        }

        var multiplier = trimmed[^1] switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1L,
        };
        var number = multiplier == 1 ? trimmed : trimmed[..^1];
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0 || value * multiplier > long.MaxValue)
        {
            return false;
        }

        bytes = (long)(value * multiplier);
        return true;
    }

    /// <summary>A limit: a positive number or "unlimited" (stored as null).</summary>
    public static bool TryNormalizeLimit(string text, bool size, out string normalized, out string error)
    {
        normalized = Unlimited;
        error = string.Empty;
        if (text.Trim().Equals(Unlimited, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (size ? TryParseSize(text, out var value) && value > 0 : long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0)
        {
            normalized = value.ToString(CultureInfo.InvariantCulture);
            return true;
        }

        error = size ? $"'{text}' is not a size; write for example 500M, 10G or unlimited" : $"'{text}' is not a positive whole number or unlimited";
        return false;
    }

    /// <summary>Null for "unlimited".</summary>
    public static long? ParseLimit(string? normalized) =>
        normalized is null || normalized == Unlimited ? null : long.Parse(normalized, CultureInfo.InvariantCulture);

    public static bool TryNormalizeDate(string text, out string normalized, out string error)
    {
        normalized = string.Empty;
        error = string.Empty;
        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            normalized = time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return true;
        }

        error = $"'{text}' is not a date; write for example 2027-01-31 or 2027-01-31T18:00:00Z";
        return false;
    }

    public static bool TryNormalizeNetworks(string text, out string normalized, out string error)
    {
        var ok = NetworkList.TryParse(text, out var list, out error);
        normalized = list.Text;
        if (ok && list.IsEmpty)
        {
            error = "no network given; write CIDR such as 192.0.2.0/24, or 'inherit' to remove the setting";
            return false;
        }

        return ok;
    }

    /// <summary>SHA-256 certificate fingerprints, hex with or without colons, comma-separated.</summary>
    public static bool TryNormalizeFingerprints(string text, out string normalized, out string error)
    {
        var prints = new List<string>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var hex = raw.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
            {
                normalized = string.Empty;
                error = $"'{raw}' is not a SHA-256 fingerprint (64 hex digits, colons allowed); get it with: openssl x509 -noout -fingerprint -sha256 -in client.crt";
                return false;
            }

            prints.Add(hex);
        }

        normalized = string.Join(',', prints);
        error = prints.Count == 0 ? "no fingerprint given" : string.Empty;
        return prints.Count > 0;
    }
}
