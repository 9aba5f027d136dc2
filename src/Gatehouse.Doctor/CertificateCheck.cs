using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Doctor;

/// <summary>
/// What the server's certificate means for its clients, from what the TLS handshake saw: trust, name, dates.
/// </summary>
public static class CertificateCheck
{
    /// <summary>A certificate this close to its end is reported, as `config check` does on the server side.</summary>
    public const int ExpiryWarningDays = 30;

    /// <summary>The findings for a certificate; <paramref name="blocking"/> is set when clients would refuse it.</summary>
    public static List<DoctorFinding> Evaluate(X509Certificate2 certificate, SslPolicyErrors errors, IEnumerable<X509ChainStatus> chain, string host, DateTimeOffset now, out bool blocking)
    {
        var findings = new List<DoctorFinding>();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        if (now > notAfter)
        {
            findings.Add(DoctorFindings.CertificateExpired(notAfter));
        }
        else if (now < notBefore)
        {
            findings.Add(DoctorFindings.CertificateNotYetValid(notBefore));
        }

        var trustProblems = chain
            .Where(status => status.Status is not (X509ChainStatusFlags.NoError or X509ChainStatusFlags.NotTimeValid))
            .Select(status => status.StatusInformation.Trim())
            .Where(text => text.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if ((errors & (SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0 && trustProblems.Count > 0)
        {
            findings.Add(DoctorFindings.CertificateUntrusted(certificate.Subject, certificate.Issuer, string.Join("; ", trustProblems)));
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            findings.Add(DoctorFindings.CertificateWrongName(host, Names(certificate)));
        }

        blocking = findings.Count > 0;
        var daysLeft = (int)Math.Floor((notAfter - now).TotalDays);
        if (!blocking && daysLeft < ExpiryWarningDays)
        {
            findings.Add(DoctorFindings.CertificateExpiresSoon(notAfter, daysLeft));
        }

        return findings;
    }

    public static string Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(address => address.ToString()));
        }

        if (names.Count == 0)
        {
            names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }

        return string.Join(", ", names.Distinct(StringComparer.OrdinalIgnoreCase));
    }
}
