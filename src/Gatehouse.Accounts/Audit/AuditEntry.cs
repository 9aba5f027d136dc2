using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Accounts.Audit;

/// <summary>Who made a change and from where: "cli:root" from "local", or "apikey:deploy" from the client's address.</summary>
public sealed record AuditActor(string Who, string From);

/// <summary>
/// One record of the audit trail. <see cref="Hash"/> covers every field and <see cref="PreviousHash"/>, so changing
/// a record breaks its own hash and removing one breaks the link of the next (<see cref="AuditTrail.VerifyAsync"/>).
/// Before and after are what an operator would compare (settings, role, scope), never a password or a key.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string Origin,
    string Action,
    string Target,
    string? Before,
    string? After,
    string PreviousHash,
    string Hash)
{
    /// <summary>The previous hash of the first record.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>SHA-256 over the fields, each length-prefixed so that no two different records hash the same text.</summary>
    public string ComputeHash()
    {
        var text = new StringBuilder();
        foreach (var field in new[] { PreviousHash, Sequence.ToString(CultureInfo.InvariantCulture), At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), Actor, Origin, Action, Target, Before, After })
        {
            text.Append(field is null ? "-1" : field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
