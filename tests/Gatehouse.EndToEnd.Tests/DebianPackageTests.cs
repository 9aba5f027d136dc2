namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// The Debian package as CI builds it (scripts/package-deb.sh), checked by scripts/check-package.sh: its files, control
/// data and unit, installation, upgrade and purge on throwaway overlays of /etc, /var and /usr, and the unpacked server
/// on ports 21 and 990 as an unprivileged account without .NET. They run alone:
/// the build loads the machine, and the server takes the fixed ports 21 and 990.
/// </summary>
[Collection(LoadTestCollection.Name)]
public sealed class DebianPackageTests(DebianPackageFixture package) : IClassFixture<DebianPackageFixture>
{
    [Fact]
    public Task Holds_the_executable_configuration_unit_log_rotation_and_documentation() => CheckAsync("contents");

    [Fact]
    public Task Declares_its_conffiles_and_dependencies_without_dotnet_and_its_configuration_is_valid() => CheckAsync("control");

    [Fact]
    public Task Unit_passes_systemd_verify_and_scores_at_most_2_0() => CheckAsync("unit");

    [Fact]
    public Task Installs_keeps_configuration_and_data_on_upgrade_and_purge_keeps_the_data() => CheckAsync("install");

    [Fact]
    public Task Unpacked_server_serves_ftps_on_ports_21_and_990_as_an_unprivileged_account_without_dotnet() => CheckAsync("serve");

    private async Task CheckAsync(string check)
    {
        var (code, output) = await Clients.RunAsync("/usr/bin/bash", ["scripts/check-package.sh", package.File, check], TimeSpan.FromMinutes(3), package.RepositoryRoot);
        Assert.True(code == 0, $"check-package.sh {check} failed (exit {code}):\n{output}");
    }
}

/// <summary>Builds the package once, into a temporary directory, and deletes it afterwards.</summary>
public sealed class DebianPackageFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _dist = Directory.CreateTempSubdirectory("gatehouse-deb-");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string File { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("The package checks mount, switch accounts and bind ports 21 and 990: they need root (CI runs as root).");
        }

        // A nested dotnet must not inherit the test host's MSBuild settings.
        var (code, output) = await Clients.RunAsync("/usr/bin/env",
            ["-u", "MSBuildSDKsPath", "-u", "MSBUILD_EXE_PATH", "-u", "MSBuildExtensionsPath", $"GATEHOUSE_DIST={_dist.FullName}", "bash", "scripts/package-deb.sh"],
            TimeSpan.FromMinutes(20), RepositoryRoot);
        Assert.True(code == 0, $"scripts/package-deb.sh failed (exit {code}):\n{output}");
        File = Assert.Single(_dist.GetFiles("gatehouse_*.deb")).FullName;
    }

    public Task DisposeAsync()
    {
        _dist.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Gatehouse.slnx above {AppContext.BaseDirectory}.");
    }
}
