using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// The passive port range. Ports are handed out at random (RFC 2577: predictable ports help data theft)
/// and each is held by exactly one reservation until it is released.
/// </summary>
public sealed class PassivePortPool
{
    private readonly object _gate = new();
    private readonly bool[] _inUse;

    public PassivePortPool(PortRange range)
    {
        Range = range;
        _inUse = new bool[range.Count];
    }

    public PortRange Range { get; }

    public int Reserved
    {
        get
        {
            lock (_gate)
            {
                return _inUse.Count(used => used);
            }
        }
    }

    public bool TryReserve(out int port)
    {
        lock (_gate)
        {
            var start = Random.Shared.Next(_inUse.Length);
            for (var i = 0; i < _inUse.Length; i++)
            {
                var index = (start + i) % _inUse.Length;
                if (!_inUse[index])
                {
                    _inUse[index] = true;
                    port = Range.First + index;
                    return true;
                }
            }
        }

        port = 0;
        return false;
    }

    public void Release(int port)
    {
        lock (_gate)
        {
            var index = port - Range.First;
            if (index < 0 || index >= _inUse.Length || !_inUse[index])
            {
                throw new InvalidOperationException($"Port {port} was not reserved from {Range}.");
            }

            _inUse[index] = false;
        }
    }
}
