using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

// The "active" step (--active): EPRT, or PORT when EPRT is unknown, and a listing the server connects back for.
internal sealed partial class DataChannels
{
    public async Task ActiveAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var listener = new Socket(Control.Local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        SegmentSize.Limit(listener, session.MaxSegmentSize);
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
            session.Record("active", StepVerdict.Ok, $"the server connected back to {endpoint}; LIST {listing.Received.Length} bytes{DataTlsSuffix}", clock);
            return;
        }

        session.Record("active", StepVerdict.Failed, listing.Detail, clock);
        session.Report.Find(DoctorFindings.ActiveBlocked(new IPEndPoint(address, endpoint.Port), listing.Detail));
    }

    private static async Task<Socket> AcceptAsync(Socket listener, CancellationToken cancellationToken) =>
        await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
}
