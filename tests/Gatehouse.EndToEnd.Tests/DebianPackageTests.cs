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
