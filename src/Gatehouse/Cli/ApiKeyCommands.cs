using System.CommandLine;
using System.Globalization;
using Gatehouse.Accounts.Admin;

namespace Gatehouse.Cli;

/// <summary>gatehouse apikey add|list|remove: bearer keys for the admin API, stored hashed and shown once.</summary>
internal static class ApiKeyCommands
{
    public static Command Create()
    {
        var command = new Command("apikey", "Manage API keys of the admin API (sent as 'Authorization: Bearer KEY'; every change is audited).");
        command.Add(Add());
        command.Add(List());
        command.Add(Remove());
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "A name for the key, saying who or what uses it." };
        var scope = new Option<ApiKeyScope>("--scope") { Description = "read (every GET), write (also changes) or metrics (GET /metrics only).", Required = true };
        var expires = new Option<string?>("--expires") { Description = "Expiry date (UTC), for example 2027-06-30 or 2027-06-30T12:00:00Z; default never." };
        var users = new Option<string[]>("--user") { Description = "Limit the key to this user (repeat for several); with --group, it sees and changes no one else.", Arity = ArgumentArity.ZeroOrMore };
        var groups = new Option<string[]>("--group") { Description = "Limit the key to the members of this group (repeat for several).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("add", "Create an API key and print it once.") { name, scope, expires, users, groups, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            DateTimeOffset? end = null;
            if (parse.GetValue(expires) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return CliStore.Fail($"--expires: '{text}' is not a date; write for example 2027-06-30 or 2027-06-30T12:00:00Z.");
                }

                end = parsed;
            }

            var (secret, error) = await store.AdminAccounts.AddKeyAsync(
                CliStore.Actor, parse.GetValue(name)!, parse.GetValue(scope), end, cancellationToken, parse.GetValue(users) ?? [], parse.GetValue(groups) ?? []).ConfigureAwait(false);
            if (secret is null)
            {
                return CliStore.Fail(error!);
            }

            Console.Error.WriteLine($"API key '{parse.GetValue(name)}' created; it is shown only now, so store it in a secret manager:");
            Console.WriteLine(secret);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List API keys (names, scopes and expiry; the keys themselves are not stored).") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var now = DateTimeOffset.UtcNow;
            var keys = await store.Admins.ListKeysAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"NAME",-24} {"SCOPE",-8} {"CREATED (UTC)",-17} {"EXPIRES (UTC)",-28} REACHES");
            foreach (var key in keys)
            {
                var expiry = key.ExpiresAt is null ? "never" : UserCommands.Format(key.ExpiresAt) + (key.IsExpired(now) ? " (expired)" : string.Empty);
                var reach = key.IsLimited ? string.Join(", ", (key.Users ?? []).Select(user => "user " + user).Concat((key.Groups ?? []).Select(group => "group " + group))) : "every user";
                Console.WriteLine($"{key.Name,-24} {key.Scope.ToString().ToLowerInvariant(),-8} {UserCommands.Format(key.CreatedAt),-17} {expiry,-28} {reach}");
            }

            if (keys.Count == 0)
            {
                Console.WriteLine("(no API keys)");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Revoke an API key: the server refuses it from the next request on.") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (await store.AdminAccounts.RemoveKeyAsync(CliStore.Actor, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused);
            }

            Console.WriteLine($"API key '{parse.GetValue(name)}' removed.");
            return 0;
        }));
        return command;
    }
}
