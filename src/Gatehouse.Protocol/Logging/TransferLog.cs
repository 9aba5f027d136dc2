using System.Globalization;
using System.Net;
using System.Text;

namespace Gatehouse.Protocol.Logging;

public enum TransferDirection
{
    Incoming,
    Outgoing,
}

/// <summary>
/// The classic wu-ftpd/vsftpd xferlog: one line per finished or failed file transfer, readable by the
/// tools operators already use. Fields: time, seconds, host, bytes, path, type, action, direction,
/// access mode, user, service, auth method, auth user id, completion status (c or i).
/// </summary>
public sealed class TransferLog : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter _writer;

    public TransferLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
    }

    public static string FormatLine(DateTimeOffset finished, TimeSpan duration, IPAddress client, long bytes, string path, bool ascii, TransferDirection direction, string user, bool complete)
    {
        var local = finished.ToLocalTime();
        var time = local.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture);
        var seconds = Math.Max(1, (long)Math.Round(duration.TotalSeconds));
        var safePath = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            safePath.Append(char.IsWhiteSpace(c) || char.IsControl(c) ? '_' : c);
        }

        return string.Join(' ',
            time, seconds.ToString(CultureInfo.InvariantCulture), client.ToString(), bytes.ToString(CultureInfo.InvariantCulture), safePath.ToString(),
            ascii ? "a" : "b", "_", direction == TransferDirection.Outgoing ? "o" : "i", "r", user, "ftp", "0", "*", complete ? "c" : "i");
    }

    /// <returns>Null when written; otherwise why not (a full disk must not end the session that made the transfer).</returns>
    public string? Write(string line)
    {
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
                return null;
            }
            catch (IOException e)
            {
                return e.Message;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            _writer.Dispose();
        }
        catch (IOException)
        {
            // Lines a full disk refused were already reported by Write; shutting down must not fail over them.
        }
    }
}
