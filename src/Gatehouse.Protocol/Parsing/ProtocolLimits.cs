namespace Gatehouse.Protocol.Parsing;

/// <summary>Every hard limit on client input, in one place.</summary>
public static class ProtocolLimits
{
    /// <summary>Longest command line accepted, CRLF included (vsftpd uses the same figure).</summary>
    public const int MaxCommandLineBytes = 4096;

    public const int MaxUserNameLength = 128;

    public const int MaxPasswordLength = 128;

    public const int MaxVerbLength = 8;
}
