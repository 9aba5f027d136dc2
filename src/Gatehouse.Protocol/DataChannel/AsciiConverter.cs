namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// TYPE A line-ending conversion between the server's LF and the network's CRLF. It works on whole spans
/// with vectorised searches, and carries one byte of state across buffer boundaries.
/// </summary>
public sealed class AsciiConverter
{
    private bool _previousWasCr;
    private bool _pendingCr;

    /// <summary>Download: a bare LF becomes CRLF; an existing CRLF is left as it is. Output needs up to 2x input.</summary>
    public int ToNetwork(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        while (!input.IsEmpty)
        {
            var lf = input.IndexOf((byte)'\n');
            var run = lf < 0 ? input : input[..lf];
            run.CopyTo(output[written..]);
            written += run.Length;
            if (run.Length > 0)
            {
                _previousWasCr = run[^1] == (byte)'\r';
            }

            if (lf < 0)
            {
                break;
            }

            if (!_previousWasCr)
            {
                output[written++] = (byte)'\r';
            }

            output[written++] = (byte)'\n';
            _previousWasCr = false;
            input = input[(lf + 1)..];
        }

        return written;
    }

    /// <summary>Upload: CRLF becomes LF; a lone CR is kept. Output needs at most input length + 1.</summary>
    public int ToLocal(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        if (_pendingCr && !input.IsEmpty)
        {
            if (input[0] != (byte)'\n')
            {
                output[written++] = (byte)'\r';
            }

            _pendingCr = false;
        }

        while (!input.IsEmpty)
        {
            var cr = input.IndexOf((byte)'\r');
            if (cr < 0)
            {
                input.CopyTo(output[written..]);
                return written + input.Length;
            }

            input[..cr].CopyTo(output[written..]);
            written += cr;
            if (cr == input.Length - 1)
            {
                _pendingCr = true;
                return written;
            }

            if (input[cr + 1] != (byte)'\n')
            {
                output[written++] = (byte)'\r';
            }

            input = input[(cr + 1)..];
        }

        return written;
    }

    /// <summary>At end of upload: a CR that ended the stream is real data.</summary>
    public int FlushLocal(Span<byte> output)
    {
        if (!_pendingCr)
        {
            return 0;
        }

        _pendingCr = false;
        output[0] = (byte)'\r';
        return 1;
    }
}
