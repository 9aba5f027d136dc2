namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The real FileZilla GUI against the real server, as a partner uses it: explicit TLS (ftpes://), the self-signed
/// certificate accepted in FileZilla's dialog, one file uploaded and another downloaded by double-click. FileZilla's
/// own log is the oracle. The server offers TLS 1.2 and 1.3 and has no setting to cap them, so TLS 1.2 is forced on
/// FileZilla's side, through the system priority file of its TLS library (GnuTLS).
/// </summary>
public sealed class FileZillaTests
{
    private const string UploadName = "to-gatehouse.bin";
    // The remote pane sorts by name: the file to download must come before the uploaded one to be its first row.
    private const string DownloadName = "from-gatehouse.bin";

    [Theory]
    [InlineData("TLS1.3")]
    [InlineData("TLS1.2")]
    public async Task Partner_uploads_and_downloads_by_double_click_over_explicit_tls(string protocol)
    {
        var work = Directory.CreateTempSubdirectory("gatehouse-filezilla-").FullName;
        var local = Directory.CreateDirectory(Path.Combine(work, "local")).FullName;
        // FileZilla resumes the control session on every data connection, so it works under the strictest binding.
        await using var server = await GatehouseServer.StartAsync(new() { ["Tls__DataConnectionResumption"] = "Required" });
        var upload = Clients.RandomFile(local, UploadName, 1_234_567);
        var download = Clients.RandomFile(server.Home("alice"), DownloadName, 2_345_678);
        var url = $"ftpes://alice:{GatehouseServer.Password}@127.0.0.1:{server.ExplicitPort}";

        await using (var fileZilla = await FileZilla.StartAsync(work, url, local, protocol == "TLS1.2" ? WriteTls12Cap(work) : null))
        {
            await fileZilla.AcceptUnknownCertificateAsync();
            await fileZilla.WaitForLogAsync("Status: Directory listing of \"/\" successful");
            var uploaded = await fileZilla.UploadFirstLocalFileAsync(upload);
            // An upload is followed by a refresh of the remote listing; the double-click must not land while it changes.
            await fileZilla.WaitForQuietAsync(TimeSpan.FromSeconds(1));
            var downloaded = await fileZilla.DownloadFirstRemoteFileAsync("/" + DownloadName);

            var problems = new List<string>();
            if (uploaded.Succeeded && !SameBytes(upload, Path.Combine(server.Home("alice"), UploadName)))
            {
                problems.Add($"the uploaded {UploadName} on the server differs from the original");
            }

            if (downloaded.Succeeded && !SameBytes(download, Path.Combine(local, DownloadName)))
            {
                problems.Add($"the downloaded {DownloadName} differs from the server's");
            }

            var protocols = fileZilla.NegotiatedProtocols();
            if (protocols.Count == 0 || protocols.Any(negotiated => negotiated != protocol))
            {
                problems.Add($"every connection should use {protocol}; FileZilla negotiated [{string.Join(", ", protocols)}]");
            }

            if (fileZilla.TargetExistsPrompts > 0)
            {
                problems.Add("FileZilla asked 'Target file already exists' (answered Overwrite): an earlier attempt left the file behind");
            }

            if (!uploaded.Succeeded || !downloaded.Succeeded || problems.Count > 0)
            {
                var summary = $"""
                    FileZilla over {protocol} (work directory kept: {work})
                      upload of {UploadName}: {uploaded}
                      download of {DownloadName}: {downloaded}
                    {string.Join('\n', problems)}
                    """;
                Assert.Fail($"{await fileZilla.ReportAsync(summary)}\n--- server log ---\n{Clients.Tail(server.Output, 30)}");
            }
        }

        Directory.Delete(work, recursive: true);
    }

    private static bool SameBytes(string expected, string actual) =>
        File.Exists(actual) && File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(actual));

    /// <summary>A GnuTLS system priority file (GNUTLS_SYSTEM_PRIORITY_FILE) that disables TLS 1.3 whatever the program asks for.</summary>
    private static string WriteTls12Cap(string work)
    {
        var path = Path.Combine(work, "gnutls-without-tls13.conf");
        File.WriteAllText(path, "[overrides]\ndisabled-version = tls1.3\n");
        return path;
    }
}
