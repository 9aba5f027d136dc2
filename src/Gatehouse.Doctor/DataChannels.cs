using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Doctor;

/// <summary>
/// The doctor's data-channel steps: each passive method with a listing, a small upload and download, active mode,
/// and a long transfer that shows whether the control connection outlives it.
/// </summary>
internal sealed class DataChannels(DoctorSession session)
{
    private const int ExchangeSize = 64 * 1024;
    private const int TrickleChunk = 1024;

    /// <summary>Opens a data connection by the first passive method that worked, to the address that worked.</summary>
    private Func<CancellationToken, Task<Socket>>? _open;

    public bool CanOpen => _open is not null;

    private ControlClient Control => session.Control;

    private TimeSpan Timeout => session.Options.StepTimeout;

    /// <summary>EPSV and PASV, each with a listing; returns the endpoint PASV named, for the ALG comparison.</summary>
    public async Task<IPEndPoint?> ProbePassiveAsync(CancellationToken cancellationToken)
    {
        await TryPassiveAsync("EPSV", cancellationToken).ConfigureAwait(false);
        IPEndPoint? announced = null;
        if (session.ServerAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            announced = await TryPassiveAsync("PASV", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            session.Report.Add(new DoctorStep("PASV", StepVerdict.Skipped, "PASV cannot name an IPv6 address; EPSV is the passive method here", TimeSpan.Zero));
        }

        if (!CanOpen)
        {
            session.Report.Find(DoctorFindings.NoDataChannel());
        }

        return announced;
    }

    public async Task ExchangeAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var name = DoctorFileName();
        var payload = RandomNumberGenerator.GetBytes(ExchangeSize);
        var stored = await PassiveTransferAsync("STOR " + name, payload, trickleSeconds: 0, cancellationToken).ConfigureAwait(false);
        if (!stored.Succeeded)
        {
            if (stored.Refused)
            {
                // Permissions are the server's business, not a network problem: say so and go on.
                session.Record("upload and download", StepVerdict.Skipped, $"this user may not upload here: {stored.Detail}", clock);
            }
            else
            {
                session.Record("upload and download", StepVerdict.Failed, $"upload: {stored.Detail}", clock);
                session.Report.Find(DoctorFindings.TransferFailed("upload", stored.Detail));
            }

            return;
        }

        var fetched = await PassiveTransferAsync("RETR " + name, upload: null, trickleSeconds: 0, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        if (!fetched.Succeeded)
        {
            session.Record("upload and download", StepVerdict.Failed, $"download: {fetched.Detail}", clock);
            session.Report.Find(DoctorFindings.TransferFailed("download", fetched.Detail));
        }
        else if (!fetched.Received.AsSpan().SequenceEqual(payload))
        {
            session.Record("upload and download", StepVerdict.Failed, $"{fetched.Received.Length} bytes back of {payload.Length} sent, not the same", clock);
            session.Report.Find(DoctorFindings.TransferCorrupted(fetched.Received.Length, payload.Length));
        }
        else
        {
            session.Record("upload and download", StepVerdict.Ok, $"{payload.Length} bytes each way, byte-exact", clock);
        }
    }

    public async Task ActiveAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var listener = new Socket(Control.Local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(Control.Local.Address, 0));
        listener.Listen(1);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var address = DoctorSession.Normalize(endpoint.Address);
        var family = address.AddressFamily == AddressFamily.InterNetwork ? 1 : 2;
        var reply = await Control.SendAsync(string.Create(CultureInfo.InvariantCulture, $"EPRT |{family}|{address}|{endpoint.Port}|"), cancellationToken).ConfigureAwait(false);
        if (reply.Code is 500 or 502 && family == 1)
        {
            var bytes = address.GetAddressBytes();
            reply = await Control.SendAsync(string.Create(CultureInfo.InvariantCulture, $"PORT {bytes[0]},{bytes[1]},{bytes[2]},{bytes[3]},{endpoint.Port >> 8},{endpoint.Port & 0xFF}"), cancellationToken).ConfigureAwait(false);
        }

        if (reply.Code != 200)
        {
            session.Record("active", StepVerdict.Failed, ControlClient.Describe(reply), clock);
            session.Report.Find(DoctorFindings.ActiveRefused(ControlClient.Describe(reply)));
            return;
        }

        // The server connects back only after LIST, and may try for a while before giving up with 425.
        var listing = await TransferAsync(AcceptAsync(listener, cancellationToken), "LIST", upload: null, trickleSeconds: 0, patience: Timeout + TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (listing.Succeeded)
        {
            session.Record("active", StepVerdict.Ok, $"the server connected back to {endpoint}; LIST {listing.Received.Length} bytes", clock);
            return;
        }

        session.Record("active", StepVerdict.Failed, listing.Detail, clock);
        session.Report.Find(DoctorFindings.ActiveBlocked(new IPEndPoint(address, endpoint.Port), listing.Detail));
    }

    public async Task LongTransferAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var seconds = session.Options.LongTransferSeconds;
        var name = DoctorFileName();
        var upload = await PassiveTransferAsync("STOR " + name, new byte[TrickleChunk * seconds], seconds, cancellationToken).ConfigureAwait(false);
        var lost = upload.ControlLost;
        if (lost is null && upload.Succeeded)
        {
            try
            {
                await Control.SendAsync("NOOP", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
            {
                lost = error;
            }
        }

        if (lost is not null)
        {
            session.Record("long transfer", StepVerdict.Failed, $"{seconds} s upload; then the control connection: {DataSockets.Explain(lost)} (left {name} behind)", clock);
            session.Report.Find(DoctorFindings.ControlConnectionDied(seconds, DataSockets.Explain(lost)));
            return;
        }

        await DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        if (upload.Succeeded)
        {
            session.Record("long transfer", StepVerdict.Ok, $"{seconds} s upload, and the control connection still answers", clock);
        }
        else
        {
            session.Record("long transfer", upload.Refused ? StepVerdict.Skipped : StepVerdict.Failed, upload.Detail, clock);
        }
    }

    private async Task<IPEndPoint?> TryPassiveAsync(string command, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var reply = await Control.SendAsync(command, cancellationToken).ConfigureAwait(false);
        if (reply.Code is 500 or 502)
        {
            session.Record(command, StepVerdict.Skipped, $"not supported: {ControlClient.Describe(reply)}", clock);
            return null;
        }

        if (!TryAnnounced(command, reply, out var announced))
        {
            session.Record(command, StepVerdict.Failed, ControlClient.Describe(reply), clock);
            session.Report.Find(DoctorFindings.TransferFailed(command, ControlClient.Describe(reply)));
            return null;
        }

        var reached = new IPEndPoint(session.ServerAddress, announced.Port);
        Socket socket;
        var note = string.Empty;
        try
        {
            socket = await DataSockets.ConnectAsync(announced, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SocketException or TimeoutException)
        {
            if (announced.Address.Equals(reached.Address))
            {
                session.Record(command, StepVerdict.Failed, $"{announced}: {DataSockets.Explain(error)}", clock);
                session.Report.Find(DoctorFindings.PassivePortUnreachable(command, announced, DataSockets.Explain(error)));
                return announced;
            }

            // What many clients do for a bad PASV address: use the control connection's address with the same port.
            try
            {
                socket = await DataSockets.ConnectAsync(reached, Timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception second) when (second is SocketException or TimeoutException)
            {
                session.Record(command, StepVerdict.Failed, $"{announced}: {DataSockets.Explain(error)}; {reached}: {DataSockets.Explain(second)}", clock);
                session.Report.Find(DoctorFindings.PassivePortUnreachable(command, reached, DataSockets.Explain(second)));
                return announced;
            }

            note = $"; {announced} named in the reply failed ({DataSockets.Explain(error)}), the server's own address worked";
            session.Report.Find(Configuration.AddressScope.IsPrivate(announced.Address) && !Configuration.AddressScope.IsPrivate(reached.Address)
                ? DoctorFindings.PassiveAddressPrivate(announced.Address, reached.Address, announced.Port)
                : DoctorFindings.PassiveAddressWrong(announced.Address, reached.Address, announced.Port));
        }

        var listing = await TransferAsync(Task.FromResult(socket), "LIST", upload: null, trickleSeconds: 0, patience: null, cancellationToken).ConfigureAwait(false);
        if (!listing.Succeeded)
        {
            session.Record(command, StepVerdict.Failed, $"{announced}: LIST {listing.Detail}", clock);
            session.Report.Find(listing.Detail.StartsWith("522 ", StringComparison.Ordinal)
                ? DoctorFindings.TlsReuseRequired(listing.Detail)
                : DoctorFindings.TransferFailed($"listing over {command}", listing.Detail));
            return announced;
        }

        session.Record(command, note.Length == 0 ? StepVerdict.Ok : StepVerdict.Warning, $"{announced}: LIST {listing.Received.Length} bytes{note}", clock);
        var substitute = note.Length > 0;
        _open ??= async token =>
        {
            var again = await Control.SendAsync(command, token).ConfigureAwait(false);
            if (!TryAnnounced(command, again, out var endpoint))
            {
                throw new ProtocolViolationException($"{command} was answered \"{ControlClient.Describe(again)}\"");
            }

            return await DataSockets.ConnectAsync(substitute ? new IPEndPoint(session.ServerAddress, endpoint.Port) : endpoint, Timeout, token).ConfigureAwait(false);
        };
        return announced;
    }

    private bool TryAnnounced(string command, FtpReply reply, out IPEndPoint endpoint)
    {
        if (command == "PASV")
        {
            return PassiveReplies.TryParsePasv(reply, out endpoint);
        }

        var parsed = PassiveReplies.TryParseEpsv(reply, out var port);
        endpoint = new IPEndPoint(session.ServerAddress, parsed ? port : 0);
        return parsed;
    }

    private async Task<TransferResult> PassiveTransferAsync(string command, byte[]? upload, int trickleSeconds, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await _open!(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            return TransferResult.Failed($"the data connection could not be opened: {DataSockets.Explain(error)}", refused: false);
        }

        return await TransferAsync(Task.FromResult(socket), command, upload, trickleSeconds, patience: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One transfer: the command, its preliminary reply, the data connection (TLS after PROT P), the final reply.
    /// Uploads of <paramref name="trickleSeconds"/> send the payload in equal parts, one per second.
    /// </summary>
    private async Task<TransferResult> TransferAsync(Task<Socket> connection, string command, byte[]? upload, int trickleSeconds, TimeSpan? patience, CancellationToken cancellationToken)
    {
        FtpReply preliminary;
        try
        {
            preliminary = await Control.SendAsync(command, cancellationToken, patience).ConfigureAwait(false);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            Abandon(connection);
            return TransferResult.LostControl(error);
        }

        if (preliminary.Code is not (125 or 150))
        {
            Abandon(connection);
            return TransferResult.Failed(ControlClient.Describe(preliminary), refused: preliminary.Code is 450 or 452 or 532 or 550 or 553);
        }

        byte[] received = [];
        string? dataProblem = null;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(Timeout + TimeSpan.FromSeconds(trickleSeconds));
            await using var stream = await DataStreamAsync(await connection.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false), limit.Token).ConfigureAwait(false);
            if (upload is null)
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, limit.Token).ConfigureAwait(false);
                received = copy.ToArray();
            }
            else
            {
                await SendAsync(stream, upload, trickleSeconds, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error) || error is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            dataProblem = $"the data connection failed: {DataSockets.Explain(error)}";
        }

        try
        {
            var final = await Control.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            return final.Code is 226 or 250 && dataProblem is null
                ? new TransferResult(true, ControlClient.Describe(final), received, null, false)
                : TransferResult.Failed(dataProblem ?? ControlClient.Describe(final), refused: final.Code is 452 or 532 or 550 or 552 or 553);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            return TransferResult.LostControl(error);
        }
    }

    private async Task<Stream> DataStreamAsync(Socket socket, CancellationToken cancellationToken)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        if (session.DataTls is not { } options)
        {
            return network;
        }

        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task SendAsync(Stream stream, byte[] payload, int trickleSeconds, CancellationToken cancellationToken)
    {
        if (trickleSeconds == 0)
        {
            await stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var part = payload.Length / trickleSeconds;
            for (var second = 0; second < trickleSeconds; second++)
            {
                await stream.WriteAsync(payload.AsMemory(second * part, part), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        if (stream is SslStream tls)
        {
            await tls.ShutdownAsync().ConfigureAwait(false);
        }
    }

    private static async Task<Socket> AcceptAsync(Socket listener, CancellationToken cancellationToken) =>
        await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Closes a data connection that will not be used (the command was refused).</summary>
    private static void Abandon(Task<Socket> connection)
    {
        if (connection.IsCompletedSuccessfully)
        {
            connection.Result.Dispose();
        }
    }

    private async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Control.SendAsync("DELE " + name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (FtpDoctor.IsConnectionFailure(error))
        {
            // The step that follows reports a dead control connection.
        }
    }

    private static string DoctorFileName() => $".gatehouse-doctor-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.bin";

    private sealed record TransferResult(bool Succeeded, string Detail, byte[] Received, Exception? ControlLost, bool Refused)
    {
        public static TransferResult Failed(string detail, bool refused) => new(false, detail, [], null, refused);

        public static TransferResult LostControl(Exception error) => new(false, $"the control connection failed: {DataSockets.Explain(error)}", [], error, false);
    }
}
