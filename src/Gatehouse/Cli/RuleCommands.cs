using System.CommandLine;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Events;
using Gatehouse.Hosting;
using Gatehouse.Protocol.Events;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Cli;

/// <summary>gatehouse rule add|list|show|set|remove|test: event rules, kept in the account store (a running server picks up changes within 2 seconds).</summary>
internal static class RuleCommands
{
    public static Command Create()
    {
        var command = new Command("rule", "Manage event rules: on an event (upload, download, login...) matching conditions, run webhooks, commands and file actions; or check uploads before they are published (--on pre-upload).");
        command.Add(Add());
        command.Add(List());
        command.Add(Show());
        command.Add(Set());
        command.Add(Remove());
        command.Add(Test());
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "The rule's name (same characters as user names)." };
        var options = new RuleOptions();
        var command = new Command("add", "Add a rule. Actions run in the order their options are written.") { name, config };
        options.AddTo(command, forSet: false);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var ruleName = parse.GetValue(name)!;
            if (!AccountNames.IsValid(ruleName, out var nameError))
            {
                return CliStore.Fail(nameError.Replace("user name", "rule name", StringComparison.Ordinal));
            }

            if (options.Build(parse, ruleName, null, store.Options.Events, out var error) is not { } rule)
            {
                return CliStore.Fail(error);
            }

            return CliStore.Report(
                await store.Rules.AddAsync(CliStore.Actor, rule, cancellationToken).ConfigureAwait(false),
                $"Added rule '{ruleName}'. Try it with: gatehouse rule test {ruleName}");
        }));
        return command;
    }

    private static Command Set()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var options = new RuleOptions();
        var command = new Command("set", "Change a rule: the conditions given replace theirs; any action option replaces all its actions.") { name, config };
        options.AddTo(command, forSet: true);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var ruleName = parse.GetValue(name)!;
            if (await store.Events.FindRuleAsync(ruleName, cancellationToken).ConfigureAwait(false) is not { } existing)
            {
                return CliStore.Fail($"No rule '{ruleName}'.");
            }

            if (options.Build(parse, ruleName, existing, store.Options.Events, out var error) is not { } rule)
            {
                return CliStore.Fail(error);
            }

            if (await store.Rules.ReplaceAsync(CliStore.Actor, rule, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused.Message);
            }

            Console.WriteLine($"Changed rule '{ruleName}'.");
            Print(rule);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List rules.") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var rules = await store.Events.ListRulesAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"NAME",-24} {"ON",-16} {"STATE",-8} ACTIONS");
            foreach (var rule in rules)
            {
                Console.WriteLine($"{rule.Name,-24} {rule.On.Name(),-16} {(rule.Enabled ? "enabled" : "disabled"),-8} {string.Join(", ", rule.Actions.Select(action => action.Kind.ToString().ToLowerInvariant()))}");
            }

            if (rules.Count == 0)
            {
                Console.WriteLine("(no rules)");
            }

            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("show", "Show a rule's event, conditions and actions (webhook secrets are not shown).") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (await store.Events.FindRuleAsync(parse.GetValue(name)!, cancellationToken).ConfigureAwait(false) is not { } rule)
            {
                return CliStore.Fail($"No rule '{parse.GetValue(name)}'.");
            }

            Print(rule);
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Delete a rule; its queued events stay listed (gatehouse event list) but are no longer delivered.") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var ruleName = parse.GetValue(name)!;
            return CliStore.Report(await store.Rules.RemoveAsync(CliStore.Actor, ruleName, cancellationToken).ConfigureAwait(false), $"Removed rule '{ruleName}'.");
        }));
        return command;
    }

    private static Command Test()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var user = new Option<string>("--user") { Description = "The event's user (default: the rule's --user condition, else 'test')." };
        var path = new Option<string>("--path") { Description = "The event's path (default: /gatehouse-rule-test.txt)." };
        var command = new Command("test", "Fire a synthetic event at the rule, whatever its conditions, and show each action's outcome. File actions are not run: they would change a user's files.") { name, user, path, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (await store.Events.FindRuleAsync(parse.GetValue(name)!, cancellationToken).ConfigureAwait(false) is not { } rule)
            {
                return CliStore.Fail($"No rule '{parse.GetValue(name)}'.");
            }

            using var http = WebhookSender.CreateClient();
            var runner = EventsSetup.CreateRunner(store.Options, NoFiles, static (_, _) => ValueTask.CompletedTask, http, TimeProvider.System, NullLogger.Instance);
            var result = await RuleTest.RunAsync(runner, rule, parse.GetValue(user), parse.GetValue(path), DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Synthetic {result.Event.Kind} event {result.Event.Id} for {result.Event.User}: {result.Event.Path}");
            foreach (var step in result.Steps)
            {
                Console.WriteLine(step.Outcome == RuleTest.Skipped
                    ? $"  {step.Step}. {step.Action}: not run by rule test"
                    : $"  {step.Step}. {(step.Outcome == RuleTest.Ok ? "ok" : "FAILED")}: {step.Text}");
            }

            return result.Succeeded ? 0 : CliStore.Failure;
        }));
        return command;
    }

    private static Task<IFileSystem?> NoFiles(string user, CancellationToken cancellationToken) => Task.FromResult<IFileSystem?>(null);

    private static void Print(EventRule rule)
    {
        var c = rule.Conditions;
        Console.WriteLine($"Rule:    {rule.Name} ({(rule.Enabled ? "enabled" : "disabled")})");
        Console.WriteLine($"On:      {rule.On.Name()}{(rule.Cron is null ? string.Empty : $" at '{rule.Cron}' (UTC)")}");
        var conditions = new[]
        {
            c.User is null ? null : $"user {c.User}",
            c.Group is null ? null : $"group {c.Group}",
            c.Path is null ? null : $"path {c.Path}",
            c.Name is null ? null : $"name {c.Name}",
            c.MinSize is null ? null : $"size >= {c.MinSize}",
            c.MaxSize is null ? null : $"size <= {c.MaxSize}",
            c.Network is null ? null : $"client in {c.Network}",
            c.OlderThanDays is null ? null : $"modified {c.OlderThanDays} days ago or earlier",
        }.OfType<string>().ToList();
        Console.WriteLine($"When:    {(conditions.Count == 0 ? "always" : string.Join(", ", conditions))}");
        for (var i = 0; i < rule.Actions.Count; i++)
        {
            Console.WriteLine($"Do {i + 1}:    {rule.Actions[i]}");
        }
    }
}
