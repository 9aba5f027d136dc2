using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Doctor;

/// <param name="Target">The server and user.</param>
/// <param name="Password">The user's password; sent only over TLS unless the URL is ftp://.</param>
/// <param name="TryActive">Also try active mode (EPRT/PORT), which needs the server to connect back to the caller.</param>
/// <param name="TrustedAuthorities">Extra CAs to trust (a private CA), or none for the system's trust store.</param>
/// <param name="Insecure">Go on after a certificate problem (the problem is still reported).</param>
/// <param name="Timeout">How long one reply, connection or handshake may take.</param>
/// <param name="LongTransferSeconds">Hold one upload open this long, then check the control connection (0: skip).</param>
/// <param name="OfferTlsSession">Offer the control connection's TLS session on data connections (off only to test the finding a refusal gives).</param>
public sealed record DoctorOptions(
    DoctorTarget Target,
    string Password,
    bool TryActive = false,
    X509Certificate2Collection? TrustedAuthorities = null,
    bool Insecure = false,
    TimeSpan? Timeout = null,
    int LongTransferSeconds = 0,
    bool OfferTlsSession = true)
{
    public TimeSpan StepTimeout => Timeout ?? TimeSpan.FromSeconds(10);
}
