using System.CommandLine;
using System.CommandLine.Parsing;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Events;

namespace Gatehouse.Cli;

/// <summary>
/// The options of `rule add` and `rule set`: the event, the conditions, and the actions, which run in the order
/// their options are written on the command line.
/// </summary>
internal sealed class RuleOptions
{
    private readonly Option<string> _on = new("--on") { Description = $"The event: {string.Join(", ", EventKinds.All)}." };
    private readonly Option<string> _webhook = new("--webhook") { Description = "POST the event as JSON to this URL (its host must be in Events:WebhookAllowedHosts)." };
    private readonly Option<string> _secret = new("--secret") { Description = "Sign webhook requests: X-Gatehouse-Signature, HMAC-SHA256 keyed with this secret." };
    private readonly Option<string> _command = new("--command") { Description = "Run this executable (it must be in Events:Commands), with the event in GATEHOUSE_EVENT_* variables." };
    private readonly Option<string[]> _arg = new("--arg") { Description = "An argument of --command (repeat for several; no shell, passed as is).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _moveTo = new("--move-to") { Description = "Move the file into this folder of the user's tree." };
    private readonly Option<string> _copyTo = new("--copy-to") { Description = "Copy the file into this folder of the user's tree." };
    private readonly Option<bool> _delete = new("--delete") { Description = "Delete the file." };
    private readonly Option<string> _mail = new("--mail") { Description = "Send a mail to these addresses (comma-separated) through the relay of Events:SmtpHost." };
    private readonly Option<string> _subject = new("--subject") { Description = $"The mail's subject; {{kind}}, {{user}}, {{path}}, {{size}}... are replaced (default '{MailSender.DefaultSubject}')." };
    private readonly Option<string> _body = new("--body") { Description = "The mail's body, with the same fields (default: every field of the event, one a line)." };
    private readonly Option<int?> _timeout = new("--timeout") { Description = $"Seconds each action may take (default {RuleAction.DefaultTimeoutSeconds})." };
    private readonly Option<string> _user = new("--user") { Description = "Only events of this user." };
    private readonly Option<string> _group = new("--group") { Description = "Only events of members of this group." };
    private readonly Option<string> _path = new("--path") { Description = "Only paths matching this glob (* within a folder, ** across folders), e.g. /orders/**.xml." };
    private readonly Option<string> _name = new("--name") { Description = "Only file names matching this glob, e.g. *.csv." };
    private readonly Option<long?> _minSize = new("--min-size") { Description = "Only files of at least this many bytes." };
    private readonly Option<long?> _maxSize = new("--max-size") { Description = "Only files of at most this many bytes." };
    private readonly Option<string> _network = new("--network") { Description = "Only clients in these networks (comma-separated CIDR)." };
    private readonly Option<string> _cron = new("--cron") { Description = "With --on schedule: when, as cron 'minute hour day month weekday' in UTC, e.g. '0 3 * * *'." };
    private readonly Option<int?> _olderThanDays = new("--older-than-days") { Description = "With --on schedule: only files last modified at least this many days ago." };
    private readonly Option<bool> _disabled = new("--disabled") { Description = "Keep the rule but do not fire it." };
    private readonly Option<bool> _enabled = new("--enabled") { Description = "Fire the rule again (rule set)." };

    public void AddTo(Command command, bool forSet)
    {
        _on.Required = !forSet;
        foreach (var option in new Option[] { _on, _webhook, _secret, _command, _arg, _moveTo, _copyTo, _delete, _mail, _subject, _body, _timeout, _user, _group, _path, _name, _minSize, _maxSize, _network, _cron, _olderThanDays, _disabled })
        {
            command.Add(option);
        }

        if (forSet)
        {
            command.Add(_enabled);
        }
    }

    /// <summary>The rule the options describe, over <paramref name="existing"/> for `rule set`; null with the error otherwise.</summary>
    public EventRule? Build(ParseResult parse, string name, EventRule? existing, EventsOptions events, out string error)
    {
        error = string.Empty;
        var kind = existing?.On ?? default;
        if (parse.GetValue(_on) is { } on && !EventKinds.TryParse(on, out kind))
        {
            error = $"'{on}' is not an event; use one of {string.Join(", ", EventKinds.All)}.";
            return null;
        }

        var actions = Actions(parse, out error);
        if (actions is null)
        {
            return null;
        }

        if (actions.Count == 0 && existing is not null)
        {
            actions = [.. existing.Actions];
        }

        var old = existing?.Conditions ?? new RuleConditions();
        var rule = new EventRule
        {
            Name = name,
            On = kind,
            Conditions = new RuleConditions
            {
                User = parse.GetValue(_user) ?? old.User,
                Group = parse.GetValue(_group) ?? old.Group,
                Path = parse.GetValue(_path) ?? old.Path,
                Name = parse.GetValue(_name) ?? old.Name,
                MinSize = parse.GetValue(_minSize) ?? old.MinSize,
                MaxSize = parse.GetValue(_maxSize) ?? old.MaxSize,
                Network = parse.GetValue(_network) ?? old.Network,
                OlderThanDays = parse.GetValue(_olderThanDays) ?? old.OlderThanDays,
            },
            Cron = parse.GetValue(_cron) ?? existing?.Cron,
            Actions = actions,
            Enabled = parse.GetValue(_disabled) ? false : parse.GetValue(_enabled) || (existing?.Enabled ?? true),
        };
        error = RuleAdministration.Check(rule, events)?.Message ?? string.Empty;
        return error.Length == 0 ? rule : null;
    }

    private List<RuleAction>? Actions(ParseResult parse, out string error)
    {
        error = string.Empty;
        var timeout = parse.GetValue(_timeout) ?? RuleAction.DefaultTimeoutSeconds;
        if (timeout is < 1 or > 86400)
        {
            error = $"--timeout {timeout}: use 1 to 86400 seconds.";
            return null;
        }

        if (parse.GetValue(_secret) is not null && parse.GetValue(_webhook) is null)
        {
            error = "--secret signs a --webhook; give the webhook's URL too.";
            return null;
        }

        if ((parse.GetValue(_subject) ?? parse.GetValue(_body)) is not null && parse.GetValue(_mail) is null)
        {
            error = "--subject and --body belong to a --mail; give the recipients too.";
            return null;
        }

        if (parse.GetValue(_arg) is { Length: > 0 } && parse.GetValue(_command) is null)
        {
            error = "--arg belongs to a --command; give the executable too.";
            return null;
        }

        var actions = new List<(int Position, RuleAction Action)>();
        void Add(Option option, Func<RuleAction> create)
        {
            if (parse.GetResult(option) is { Implicit: false } result && (option is not Option<bool> flag || parse.GetValue(flag)))
            {
                actions.Add((Position(parse, result), create()));
            }
        }

        Add(_webhook, () => new RuleAction { Kind = RuleActionKind.Webhook, Target = parse.GetValue(_webhook)!, Secret = parse.GetValue(_secret), TimeoutSeconds = timeout });
        Add(_command, () => new RuleAction { Kind = RuleActionKind.Command, Target = parse.GetValue(_command)!, Arguments = parse.GetValue(_arg) ?? [], TimeoutSeconds = timeout });
        Add(_moveTo, () => new RuleAction { Kind = RuleActionKind.MoveTo, Target = parse.GetValue(_moveTo)!, TimeoutSeconds = timeout });
        Add(_copyTo, () => new RuleAction { Kind = RuleActionKind.CopyTo, Target = parse.GetValue(_copyTo)!, TimeoutSeconds = timeout });
        Add(_delete, () => new RuleAction { Kind = RuleActionKind.Delete, TimeoutSeconds = timeout });
        Add(_mail, () => new RuleAction { Kind = RuleActionKind.Mail, Target = parse.GetValue(_mail)!, Subject = parse.GetValue(_subject), Body = parse.GetValue(_body), TimeoutSeconds = timeout });
        return [.. actions.OrderBy(entry => entry.Position).Select(entry => entry.Action)];
    }

    private static int Position(ParseResult parse, OptionResult result) =>
        result.IdentifierToken is { } token ? parse.Tokens.ToList().IndexOf(token) : int.MaxValue;
}
