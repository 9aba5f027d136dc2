using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

/// <summary>One logged-in control connection of a doctor run, and where its steps are recorded.</summary>
/// <param name="maxSegmentSize">TCP_MAXSEG of the control connection, which its data connections use too; 0: the system's choice.</param>
internal sealed class DoctorSession(ControlClient control, DoctorOptions options, DoctorReport report, int maxSegmentSize = 0) : IAsyncDisposable
{
    public ControlClient Control => control;

    /// <summary>Not 0 once a path-MTU black hole was found: every connection of the run then sends small segments.</summary>
    public int MaxSegmentSize => maxSegmentSize;

    public DoctorOptions Options => options;

    public DoctorReport Report => report;

    /// <summary>TLS for data connections after PROT P (the same host name, so the TLS session can be resumed).</summary>
    public SslClientAuthenticationOptions? DataTls { get; set; }

    /// <summary>The server's address as this client reaches it, the one a passive reply should name.</summary>
    public IPAddress ServerAddress => Normalize(control.Remote.Address);

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public void Record(string name, StepVerdict verdict, string detail, Stopwatch clock) => report.Add(new DoctorStep(name, verdict, detail, clock.Elapsed));

    public ValueTask DisposeAsync() => control.DisposeAsync();
}
