using System.Buffers;

namespace Gatehouse.Protocol.Parsing;

public enum FrameResult
{
    NeedMoreData,
    Line,
    TooLong,
}

/// <summary>
/// Cuts the control stream into lines ending in LF (CRLF or a bare LF). A line longer than the limit is
/// reported once as <see cref="FrameResult.TooLong"/> and then skipped up to its LF, so one hostile line
/// costs a 500 reply, never unbounded memory.
/// </summary>
public sealed class ControlLineFramer(int maxLineBytes = ProtocolLimits.MaxCommandLineBytes)
{
    private bool _discarding;

    public FrameResult TryRead(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        line = default;
        while (true)
        {
            var newline = buffer.PositionOf((byte)'\n');
            if (_discarding)
            {
                if (newline is null)
                {
                    buffer = buffer.Slice(buffer.End);
                    return FrameResult.NeedMoreData;
                }

                buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                _discarding = false;
                continue;
            }

            if (newline is null)
            {
                if (buffer.Length < maxLineBytes)
                {
                    return FrameResult.NeedMoreData;
                }

                _discarding = true;
                buffer = buffer.Slice(buffer.End);
                return FrameResult.TooLong;
            }

            var candidate = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            if (candidate.Length >= maxLineBytes)
            {
                return FrameResult.TooLong;
            }

            line = candidate;
            return FrameResult.Line;
        }
    }
}
