using System.Text;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// Reads the lines of an FTP server's replies from a control connection, client side. The stream is passed on
/// each read because a client swaps it for a TLS stream after AUTH TLS.
/// </summary>
public sealed class ReplyLineReader(int maxLineLength = 8192)
{
    private readonly byte[] _buffer = new byte[maxLineLength];
    private int _start;
    private int _end;

    /// <summary>Bytes received and not yet read as a line (none may be waiting when TLS starts).</summary>
    public bool HasBufferedBytes => _start != _end;

    public async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException($"the server sent a reply line longer than {_buffer.Length} bytes");
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the control connection");
            }

            _end += read;
        }
    }
}
