using System.CommandLine;
using Gatehouse.Accounts.Events;

namespace Gatehouse.Cli;

/// <summary>gatehouse event list|show|retry: the queue of rule deliveries, for inspection and replay.</summary>
internal static class EventCommands
{
    public static Command Create()
    {
        var command = new Command("event", "Inspect queued, delivered and failed events of the rules, and replay failed ones.");
        command.Add(List());
        command.Add(Show());
        command.Add(Retry());
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var failed = new Option<bool>("--failed") { Description = "Only deliveries given up after every attempt." };
        var limit = new Option<int>("--limit") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List rule deliveries, newest first.") { failed, limit, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var deliveries = await store.Events.ListDeliveriesAsync(parse.GetValue(failed) ? DeliveryState.Failed : null, Math.Max(1, parse.GetValue(limit)), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"ID",-8} {"QUEUED (UTC)",-19} {"STATE",-9} {"TRIES",-5} {"RULE",-20} {"EVENT",-14} {"USER",-12} PATH");
            foreach (var delivery in deliveries)
            {
                var e = delivery.Event;
                Console.WriteLine($"{delivery.Id,-8} {UserCommands.Format(delivery.QueuedAt),-19} {delivery.State.ToString().ToLowerInvariant(),-9} {delivery.Attempts,-5} {delivery.Rule,-20} {e.Kind,-14} {e.User ?? "-",-12} {e.Path ?? "-"}");
            }

            if (deliveries.Count == 0)
            {
                Console.WriteLine("(none)");
            }

            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var config = CommonOptions.Config();
        var id = new Argument<long>("ID");
        var command = new Command("show", "Show one delivery: the event, its attempts and the last outcome of each action.") { id, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (await store.Events.FindDeliveryAsync(parse.GetValue(id), cancellationToken).ConfigureAwait(false) is not { } delivery)
            {
                return CliStore.Fail($"No event delivery {parse.GetValue(id)}.");
            }

            Console.WriteLine($"Delivery:     {delivery.Id} of rule '{delivery.Rule}'");
            Console.WriteLine($"State:        {delivery.State.ToString().ToLowerInvariant()} after {delivery.Attempts} attempt(s), {delivery.StepsDone} action(s) done");
            Console.WriteLine($"Queued:       {UserCommands.Format(delivery.QueuedAt)}");
            Console.WriteLine(delivery.State == DeliveryState.Pending ? $"Next attempt: {UserCommands.Format(delivery.NextAttemptAt)}" : $"Finished:     {UserCommands.Format(delivery.FinishedAt)}");
            Console.WriteLine($"Outcome:      {delivery.Outcome ?? "(not attempted yet)"}");
            Console.WriteLine($"Event:        {EventJson.Write(delivery.Event)}");
            return 0;
        }));
        return command;
    }

    private static Command Retry()
    {
        var config = CommonOptions.Config();
        var id = new Argument<long>("ID");
        var command = new Command("retry", "Queue a delivered or failed event again for its rule, going on from the action that failed.") { id, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var delivery = parse.GetValue(id);
            return CliStore.Report(
                await store.Rules.RetryAsync(CliStore.Actor, delivery, cancellationToken).ConfigureAwait(false),
                $"Event delivery {delivery} queued again; a running server delivers it within 2 seconds.");
        }));
        return command;
    }
}
