using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using LoadGen;

// loadgen churn|idle|list PORT USER PASSWORD plain|tls [mode arguments]; prints one JSON object.
//   churn CLIENTS SECONDS FILE   each client loops connect, log in, RETR FILE, QUIT
//   idle COUNT                   holds COUNT logged-in sessions, prints a "ready" line, closes them on a stdin line
//   list COMMAND PATH            one MLSD or LIST of PATH, timed
if (args.Length < 5)
{
    Console.Error.WriteLine("usage: loadgen churn|idle|list PORT USER PASSWORD plain|tls ...");
    return 2;
}

var options = new Options(new IPEndPoint(IPAddress.Loopback, int.Parse(args[1], CultureInfo.InvariantCulture)), args[2], args[3], args[4] == "tls");
object result = args[0] switch
{
    "churn" => await Workloads.ChurnAsync(options, int.Parse(args[5], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(args[6], CultureInfo.InvariantCulture)), args[7]),
    "idle" => await Workloads.IdleAsync(options, int.Parse(args[5], CultureInfo.InvariantCulture)),
    "list" => await Workloads.ListAsync(options, args[5], args[6]),
    _ => throw new ArgumentException("unknown mode " + args[0]),
};
Console.WriteLine(JsonSerializer.Serialize(result, result.GetType(), new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
return 0;

internal sealed record Options(IPEndPoint Server, string User, string Password, bool Tls);

internal static class Workloads
{
    public static async Task<object> ChurnAsync(Options options, int clients, TimeSpan duration, string file)
    {
        var latencies = new List<double>[clients];
        var errors = 0;
        var finishedInWindow = 0;
        string? firstError = null;
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async index =>
        {
            var own = latencies[index] = [];
            var buffer = new byte[65536];
            while (!stop.IsCancellationRequested)
            {
                var begun = Stopwatch.GetTimestamp();
                var step = "log-in";
                try
                {
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await using (var client = await FtpClient.LogInAsync(options, bound.Token))
                    {
                        step = "opening the data connection";
                        await using (var data = await client.OpenDataAsync("RETR " + file, bound.Token))
                        {
                            step = "reading the data connection";
                            await FtpClient.DrainAsync(data, buffer, bound.Token);
                        }

                        step = "waiting for 226";
                        await client.ExpectAsync(226, bound.Token);
                        step = "QUIT";
                        await client.CommandAsync("QUIT", 221, bound.Token);
                    }

                    own.Add(Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
                    if (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref finishedInWindow);
                    }
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{step}: {ex.Message}", null);
                }
            }
        }));
        // The rate counts sessions finished within the window; a session still running then (or hung) does not
        // stretch the window for the others, and a hung one shows up as a failure.
        var all = latencies.SelectMany(list => list).Order().ToArray();
        var inWindow = finishedInWindow;
        return new ChurnResult(all.Length, inWindow / duration.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), errors, firstError);
    }

    public static async Task<object> IdleAsync(Options options, int count)
    {
        var sessions = new List<FtpClient>(count);
        var failed = 0;
        string? firstError = null;
        using var opening = new SemaphoreSlim(64);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            await opening.WaitAsync();
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var client = await FtpClient.LogInAsync(options, bound.Token);
                lock (sessions)
                {
                    sessions.Add(client);
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, ex.Message, null);
            }
            finally
            {
                opening.Release();
            }
        }));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Prove the sessions are alive, not just open: every one answers a NOOP.
        var alive = 0;
        await Task.WhenAll(sessions.Select(async client =>
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await client.CommandAsync("NOOP", 200, bound.Token);
                Interlocked.Increment(ref alive);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                Interlocked.CompareExchange(ref firstError, ex.Message, null);
            }
        }));
        Console.WriteLine($"ready {alive}");
        Console.Out.Flush();
        Console.ReadLine();
        await Task.WhenAll(sessions.Select(client => client.DisposeAsync().AsTask()));
        return new IdleResult(sessions.Count, alive, failed, seconds, firstError);
    }

    public static async Task<object> ListAsync(Options options, string command, string path)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var client = await FtpClient.LogInAsync(options, bound.Token);
        var started = Stopwatch.GetTimestamp();
        long bytes;
        await using (var data = await client.OpenDataAsync(command + " " + path, bound.Token))
        {
            bytes = await FtpClient.DrainAsync(data, new byte[65536], bound.Token);
        }

        await client.ExpectAsync(226, bound.Token);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await client.CommandAsync("QUIT", 221, bound.Token);
        return new ListResult(seconds, bytes);
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}

internal sealed record ChurnResult(int Sessions, double PerSecond, double P50Milliseconds, double P99Milliseconds, int Errors, string? FirstError);

internal sealed record IdleResult(int Opened, int Alive, int Failed, double OpenSeconds, string? FirstError);

internal sealed record ListResult(double Seconds, long Bytes);
