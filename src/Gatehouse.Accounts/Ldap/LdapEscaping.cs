using System.Globalization;
using System.Text;

namespace Gatehouse.Accounts.Ldap;

/// <summary>Escaping of untrusted values put into LDAP filters (RFC 4515) and distinguished names (RFC 4514).</summary>
public static class LdapEscaping
{
    public static string FilterValue(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (byte)'*' or (byte)'(' or (byte)')' or (byte)'\\' or 0 || b >= 0x80)
            {
                escaped.Append('\\').Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append((char)b);
            }
        }

        return escaped.ToString();
    }

    public static string DnValue(string value)
    {
        var escaped = new StringBuilder(value.Length + 4);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var special = c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '='
                || (i == 0 && c is '#' or ' ')
                || (i == value.Length - 1 && c == ' ');
            if (c == '\0')
            {
                escaped.Append("\\00");
            }
            else
            {
                escaped.Append(special ? "\\" : string.Empty).Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>The value of a DN's first RDN ("partners" for "cn=partners,ou=groups,dc=example,dc=org"), unescaped only as far as needed to compare names.</summary>
    public static string FirstRdnValue(string dn)
    {
        var end = dn.Length;
        for (var i = 0; i < dn.Length; i++)
        {
            if (dn[i] == '\\')
            {
                i++;
            }
            else if (dn[i] is ',' or '+')
            {
                end = i;
                break;
            }
        }

        var rdn = dn[..end];
        var equals = rdn.IndexOf('=', StringComparison.Ordinal);
        return (equals < 0 ? rdn : rdn[(equals + 1)..]).Replace("\\", string.Empty, StringComparison.Ordinal).Trim();
    }
}
