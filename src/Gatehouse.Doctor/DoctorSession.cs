using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Gatehouse.Doctor.Client;

namespace Gatehouse.Doctor;

/// <summary>One logged-in control connection of a doctor run, and where its steps are recorded.</summary>
internal sealed class DoctorSession(ControlClient control, DoctorOptions options, DoctorReport report) : IAsyncDisposable
{
    public ControlClient Control => control;

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
