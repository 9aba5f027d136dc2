using System.CommandLine;
using System.Net;
using Gatehouse.Accounts.Bans;

namespace Gatehouse.Cli;

/// <summary>gatehouse ban list|remove: the addresses the brute-force defence has banned.</summary>
internal static class BanCommands
{
    public static Command Create()
    {
        var command = new Command("ban", "Inspect and lift bans of client addresses (a running server picks up changes within 5 seconds).");
        command.Add(List());
        command.Add(Remove());
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var all = new Option<bool>("--all") { Description = "Also show expired bans (they remember the offence count)." };
        var command = new Command("list", "List banned addresses.") { all, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var now = DateTimeOffset.UtcNow;
            var bans = await store.BanAdministration.ListAsync(parse.GetValue(all), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"ADDRESS",-40} {"BANNED UNTIL (UTC)",-19} {"OFFENCES",-8} REASON");
            foreach (var ban in bans)
            {
                Console.WriteLine($"{ban.Address,-40} {UserCommands.Format(ban.BannedUntil) + (ban.BannedUntil <= now ? "*" : string.Empty),-19} {ban.Offences,-8} {ban.Reason}");
            }

            if (bans.Count == 0)
            {
                Console.WriteLine("(no active bans)");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var address = new Argument<string>("IP");
        var command = new Command("remove", "Lift the ban of an address and forget its offences.") { address, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var text = parse.GetValue(address)!;
            if (await store.BanAdministration.LiftAsync(CliStore.Actor, text, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused.Message);
            }

            Console.WriteLine($"Ban of {BanList.Key(IPAddress.Parse(text))} lifted; a running server lets it in again within 5 seconds.");
            return 0;
        }));
        return command;
    }
}
