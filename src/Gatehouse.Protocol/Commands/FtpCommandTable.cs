using System.Collections.Frozen;
using Gatehouse.Protocol.Commands.DataConnections;
using Gatehouse.Protocol.Commands.Files;
using Gatehouse.Protocol.Commands.Information;
using Gatehouse.Protocol.Commands.Login;
using Gatehouse.Protocol.Commands.Navigation;
using Gatehouse.Protocol.Commands.Parameters;
using Gatehouse.Protocol.Commands.Security;
using Gatehouse.Protocol.Commands.Transfers;

namespace Gatehouse.Protocol.Commands;

/// <summary>Verb to handler, built once from the registered handlers; HELP and FEAT are generated from it.</summary>
public sealed class FtpCommandTable
{
    private readonly FrozenDictionary<string, IFtpCommandHandler> _byVerb;

    /// <param name="handlers">Every command but FEAT and HELP, which the table adds: both are generated from it.</param>
    public FtpCommandTable(IEnumerable<IFtpCommandHandler> handlers)
    {
        Handlers = [.. handlers, new FeatHandler(this), new HelpHandler(this)];
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

    /// <summary>Every command the server implements.</summary>
    public static FtpCommandTable CreateDefault(CommandServices services)
    {
        var (options, time) = (services.Options, services.Time);
        var login = new PassHandler(services.Authenticator, services.Logins, services.FileSystems, services.Bans, services.AccountThrottle, options.Limits, time, services.Metrics, services.LoginAudit);
        return new(
        [
            new UserHandler(), login, new QuitHandler(), new ReinHandler(), new AcctHandler(),
            new AuthHandler(options.Tls.Policy), new PbszHandler(options.Tls.Policy), new ProtHandler(options.Tls.Policy), new ProxyHandler(),
            new OptsHandler(), new SystHandler(), new NoopHandler(), new StatHandler(time), new SiteHandler(), new HostHandler(),
            new PwdHandler(), new CwdHandler(), new CdupHandler(),
            new TypeHandler(), new StruHandler(), new ModeHandler(), new RestHandler(), new AlloHandler(),
            new PasvHandler(services.PassiveAddresses), new EpsvHandler(), new PortHandler(options.Ftp.AllowActiveMode), new EprtHandler(options.Ftp.AllowActiveMode),
            new RetrHandler(), new StorHandler(), new AppeHandler(), new StouHandler(), new ListHandler(time), new NlstHandler(), new MlsdHandler(), new AborHandler(),
            new SizeHandler(), new MdtmHandler(), new MfmtHandler(), new DeleHandler(), new MkdHandler(), new RmdHandler(), new RnfrHandler(), new RntoHandler(),
            new HashHandler(), new MlstHandler(),
        ]);
    }

    public IReadOnlyList<IFtpCommandHandler> Handlers { get; }

    public IReadOnlyList<string> Verbs { get; }

    public bool TryGet(string verb, out IFtpCommandHandler handler) => _byVerb.TryGetValue(verb, out handler!);
}
