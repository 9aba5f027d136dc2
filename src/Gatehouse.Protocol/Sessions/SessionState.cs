using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Protocol.Hashing;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Sessions;

public enum TransferType
{
    Ascii,
    Binary,
}

public enum DataProtection
{
    Clear,
    Private,
}

/// <summary>What the protocol remembers between commands. Pure data, so handlers can be tested without sockets.</summary>
public sealed class SessionState
{
    public static readonly IReadOnlyList<string> AllMlstFacts = ["type", "size", "modify", "perm", "unique"];

    public string? PendingUser { get; set; }

    public Account? Account { get; set; }

    public IFileSystem? FileSystem { get; set; }

    /// <summary>The logged-in user's merged settings, mounts and permissions.</summary>
    public AccessPolicy? Policy { get; set; }

    public bool IsLoggedIn => Account is not null;

    public VirtualPath CurrentDirectory { get; set; } = VirtualPath.Root;

    public TransferType Type { get; set; } = TransferType.Ascii;

    public long RestartOffset { get; set; }

    public VirtualPath? RenameFrom { get; set; }

    public bool ProtectionBufferSizeSet { get; set; }

    public DataProtection Protection { get; set; } = DataProtection.Clear;

    /// <summary>After EPSV ALL (RFC 2428) only EPSV may set up data connections.</summary>
    public bool EpsvOnly { get; set; }

    public FileHashAlgorithm Hash { get; set; } = FileHashAlgorithm.Sha256;

    public IReadOnlyList<string> MlstFacts { get; set; } = AllMlstFacts;

    public int FailedLogins { get; set; }

    /// <summary>A data connection of this session has resumed the control connection's TLS session (for <see cref="Configuration.DataTlsResumption.Sticky"/>).</summary>
    public bool DataTlsResumed { get; set; }

    public string? Host { get; set; }

    public long TakeRestartOffset()
    {
        var offset = RestartOffset;
        RestartOffset = 0;
        return offset;
    }

    /// <summary>REIN: back to the state right after connecting (the control connection's TLS stays).</summary>
    public void Reset()
    {
        PendingUser = null;
        Account = null;
        FileSystem = null;
        Policy = null;
        CurrentDirectory = VirtualPath.Root;
        Type = TransferType.Ascii;
        RestartOffset = 0;
        RenameFrom = null;
        EpsvOnly = false;
        Hash = FileHashAlgorithm.Sha256;
        MlstFacts = AllMlstFacts;
        Host = null;
    }

    /// <summary>
    /// The control connection has turned TLS. With implicit TLS data connections are private from the start; after
    /// AUTH TLS they stay clear until PBSZ and PROT P.
    /// </summary>
    public void ControlSecured(bool implicitTls)
    {
        ProtectionBufferSizeSet = implicitTls;
        Protection = implicitTls ? DataProtection.Private : DataProtection.Clear;
    }
}
