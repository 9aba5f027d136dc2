using System.Globalization;

namespace Gatehouse.Doctor;

/// <summary>How the doctor secures the control connection.</summary>
public enum DoctorSecurity
{
    /// <summary>ftps://: plain connect, then AUTH TLS (RFC 4217).</summary>
    Explicit,

    /// <summary>ftps:// with --implicit: TLS from the first byte.</summary>
    Implicit,

    /// <summary>ftp://: no TLS, as the caller asked.</summary>
    Plain,
}

/// <summary>The server the doctor examines, from <c>ftps://user@host[:port][/folder]</c>.</summary>
public sealed record DoctorTarget(DoctorSecurity Security, string User, string Host, int Port, string Folder)
{
    public const string Usage = "Give the server as ftps://user@host[:port] (ftp://user@host[:port] to test without TLS).";

    public static bool TryParse(string url, bool implicitTls, out DoctorTarget target, out string error)
    {
        target = new DoctorTarget(DoctorSecurity.Explicit, string.Empty, string.Empty, 0, "/");
        error = Usage;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ftps" or "ftp") || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            error = "Do not put the password in the URL (it stays in shell history and process lists): use --password-stdin or the prompt.";
            return false;
        }

        var user = Uri.UnescapeDataString(uri.UserInfo);
        if (user.Length == 0)
        {
            error = "Name the user in the URL: ftps://user@host[:port].";
            return false;
        }

        if (uri.Scheme == "ftp" && implicitTls)
        {
            error = "--implicit needs an ftps:// URL.";
            return false;
        }

        var security = uri.Scheme == "ftp" ? DoctorSecurity.Plain : implicitTls ? DoctorSecurity.Implicit : DoctorSecurity.Explicit;
        var explicitPort = uri.Authority.LastIndexOf(':') > uri.Authority.LastIndexOf(']');
        var port = explicitPort ? uri.Port : security == DoctorSecurity.Implicit ? 990 : 21;
        var folder = Uri.UnescapeDataString(uri.AbsolutePath);
        target = new DoctorTarget(security, user, uri.DnsSafeHost, port, folder.Length == 0 ? "/" : folder);
        error = string.Empty;
        return true;
    }

    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        var scheme = Security == DoctorSecurity.Plain ? "ftp" : "ftps";
        var mode = Security switch
        {
            DoctorSecurity.Explicit => "explicit TLS",
            DoctorSecurity.Implicit => "implicit TLS",
            _ => "no TLS",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{User}@{host}:{Port}{(Folder == "/" ? string.Empty : Folder)} ({mode})");
    }
}
