using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The passive steps, EPSV then PASV: each announced address is connected to and a listing read over it.
internal sealed partial class DataChannels
{
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

        if (!CanOpen && session.Report.TlsSessionRefusal is null)
        {
            session.Report.Find(DoctorFindings.NoDataChannel());
        }

        return announced;
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
            socket = await DataSockets.ConnectAsync(announced, Timeout, cancellationToken, session.MaxSegmentSize).ConfigureAwait(false);
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
                socket = await DataSockets.ConnectAsync(reached, Timeout, cancellationToken, session.MaxSegmentSize).ConfigureAwait(false);
            }
            catch (Exception second) when (second is SocketException or TimeoutException)
            {
                session.Record(command, StepVerdict.Failed, $"{announced}: {DataSockets.Explain(error)}; {reached}: {DataSockets.Explain(second)}", clock);
                session.Report.Find(DoctorFindings.PassivePortUnreachable(command, reached, DataSockets.Explain(second)));
                return announced;
            }

            note = $"; {announced} named in the reply failed ({DataSockets.Explain(error)}), the server's own address worked";
            session.Report.Find(AddressScope.IsPrivate(announced.Address) && !AddressScope.IsPrivate(reached.Address)
                ? DoctorFindings.PassiveAddressPrivate(announced.Address, reached.Address, announced.Port)
                : DoctorFindings.PassiveAddressWrong(announced.Address, reached.Address, announced.Port));
        }

        var listing = await TransferAsync(Task.FromResult(socket), "LIST", upload: null, trickleSeconds: 0, patience: null, cancellationToken).ConfigureAwait(false);
        if (!listing.Succeeded)
        {
            session.Record(command, StepVerdict.Failed, $"{announced}: LIST {listing.Detail}{DataTlsSuffix}", clock);
            session.Report.Find(ListingFailed(command, listing.Detail));
            return announced;
        }

        session.Record(command, note.Length == 0 ? StepVerdict.Ok : StepVerdict.Warning, $"{announced}: LIST {listing.Received.Length} bytes{DataTlsSuffix}{note}", clock);
        var substitute = note.Length > 0;
        _open ??= async token =>
        {
            var again = await Control.SendAsync(command, token).ConfigureAwait(false);
            if (!TryAnnounced(command, again, out var endpoint))
            {
                throw new ProtocolViolationException($"{command} was answered \"{ControlClient.Describe(again)}\"");
            }

            return await DataSockets.ConnectAsync(substitute ? new IPEndPoint(session.ServerAddress, endpoint.Port) : endpoint, Timeout, token, session.MaxSegmentSize).ConfigureAwait(false);
        };
        return announced;
    }

    private DoctorFinding ListingFailed(string command, string detail)
    {
        // vsftpd says 522 (and ends the control connection), ProFTPD 425 after the handshake with a new session.
        if (!detail.StartsWith("522 ", StringComparison.Ordinal) && !(detail.StartsWith("425 ", StringComparison.Ordinal) && NewTlsSession))
        {
            return DoctorFindings.TransferFailed($"listing over {command}", detail);
        }

        var finding = NotOfferedBecause is { } why ? DoctorFindings.TlsSessionNotOffered(detail, why)
            : NothingToResume ? DoctorFindings.TlsSessionNotIssued(detail)
            : DoctorFindings.TlsSessionNotResumed(detail);
        session.Report.TlsSessionRefusal = finding;
        return finding;
    }

    private bool TryAnnounced(string command, ServerReply reply, out IPEndPoint endpoint)
    {
        if (command == "PASV")
        {
            return PassiveReplies.TryParsePasv(reply, out endpoint);
        }

        var parsed = PassiveReplies.TryParseEpsv(reply, out var port);
        endpoint = new IPEndPoint(session.ServerAddress, parsed ? port : 0);
        return parsed;
    }
}
