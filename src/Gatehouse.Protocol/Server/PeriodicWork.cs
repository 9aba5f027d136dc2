namespace Gatehouse.Protocol.Server;

/// <summary>Background chores: run once now, then on every tick, until the host stops.</summary>
public static class PeriodicWork
{
    /// <param name="work">Handles its own failures; the loop only ends when <paramref name="stoppingToken"/> fires.</param>
    public static async Task RunAsync(TimeSpan interval, TimeProvider time, Func<Task> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await work().ConfigureAwait(false);
        }
        while (await NextTickAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
