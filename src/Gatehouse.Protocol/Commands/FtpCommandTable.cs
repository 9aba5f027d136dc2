using System.Collections.Frozen;

namespace Gatehouse.Protocol.Commands;

/// <summary>Verb to handler, built once from the registered handlers; HELP and FEAT are generated from it.</summary>
public sealed class FtpCommandTable
{
    private readonly FrozenDictionary<string, IFtpCommandHandler> _byVerb;

    public FtpCommandTable(IEnumerable<IFtpCommandHandler> handlers)
    {
        Handlers = handlers.ToList();
        var map = new Dictionary<string, IFtpCommandHandler>(StringComparer.Ordinal);
        foreach (var handler in Handlers)
        {
            foreach (var verb in handler.Info.Verbs)
            {
                if (!map.TryAdd(verb, handler))
                {
                    throw new InvalidOperationException($"Two handlers claim the verb {verb}.");
                }
            }
        }

        _byVerb = map.ToFrozenDictionary(StringComparer.Ordinal);
        Verbs = map.Keys.Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<IFtpCommandHandler> Handlers { get; }

    public IReadOnlyList<string> Verbs { get; }

    public bool TryGet(string verb, out IFtpCommandHandler handler) => _byVerb.TryGetValue(verb, out handler!);
}
