using System.Globalization;
using Xunit.Abstractions;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// What the real FileZilla GUI does with an upload that an earlier attempt left kept for resuming (docs/resume.md): an
/// ftplib client cuts the upload (resume.py), then the partner uploads the same file again by double-click. The
/// commands FileZilla sent come from its own log and are written to the test output.
/// </summary>
public sealed class FileZillaResumeTests(ITestOutputHelper output)
{
    private const string Name = "order.bin";
    private const int Size = 3_000_000;
    private const int Seed = 7;

    [Fact]
    public async Task After_a_cut_upload_FileZilla_sends_the_file_and_it_is_stored_whole_with_no_partial_left()
    {
        var work = Directory.CreateTempSubdirectory("gatehouse-filezilla-resume-").FullName;
        var local = Directory.CreateDirectory(Path.Combine(work, "local")).FullName;
        await using var server = await GatehouseServer.StartAsync();
        var file = Path.Combine(local, Name);
        var (written, writeOutput) = await Clients.RunAsync(Clients.Python, ["-c", $"import random,sys; open(sys.argv[1],'wb').write(random.Random({Seed}).randbytes({Size}))", file]);
        Assert.True(written == 0, writeOutput);
        string[] cut = [Path.Combine(AppContext.BaseDirectory, "clients", "resume.py"), "--port", server.ExplicitPort.ToString(CultureInfo.InvariantCulture),
            "--user", "alice", "--password", GatehouseServer.Password, "--tls", "--cafile", server.CaFile, $"cut /{Name} {Size} {Seed} 1000000 close", $"look /{Name}"];
        var (code, cutOutput) = await Clients.RunAsync(Clients.Python, cut, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, cutOutput);
        output.WriteLine(cutOutput);
        Assert.NotEmpty(Directory.GetFiles(server.Home("alice"), ".gatehouse-upload-*"));

        var url = $"ftpes://alice:{GatehouseServer.Password}@127.0.0.1:{server.ExplicitPort}";
        FileZillaOutcome uploaded;
        int prompts;
        await using (var fileZilla = await FileZilla.StartAsync(work, url, local))
        {
            await fileZilla.AcceptUnknownCertificateAsync();
            await fileZilla.WaitForLogAsync("Status: Directory listing of \"/\" successful");
            uploaded = await fileZilla.UploadFirstLocalFileAsync(file);
            prompts = fileZilla.TargetExistsPrompts;
            if (!uploaded.Succeeded)
            {
                Assert.Fail(await fileZilla.ReportAsync($"upload: {uploaded}") + "\n" + Clients.Tail(server.Output, 30));
            }
        }

        var commands = File.ReadAllLines(Path.Combine(work, "filezilla.log"))
            .Where(line => line.Contains("Command: ", StringComparison.Ordinal) && (line.Contains(Name, StringComparison.Ordinal) || line.Contains("REST", StringComparison.Ordinal)))
            .Select(line => line[line.IndexOf("Command: ", StringComparison.Ordinal)..]).ToList();
        output.WriteLine($"FileZilla sent: {string.Join(" | ", commands)}; 'target exists' prompts: {prompts}");
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(server.Home("alice"), Name)));
        Assert.Empty(Directory.GetFiles(server.Home("alice"), ".gatehouse-upload-*"));
        Directory.Delete(work, recursive: true);
    }
}
