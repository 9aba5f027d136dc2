using Gatehouse.Protocol.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gatehouse.Protocol.Tests;

public class ConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Defaults_are_valid_and_secure()
    {
        var options = new GatehouseOptions();
        Assert.Empty(GatehouseOptionsValidator.Problems(options));
        Assert.Equal(TlsPolicy.Required, options.Tls.Policy);
        Assert.True(options.Ftp.RequireSameClientIpForData);
        Assert.Equal(2121, options.Ftp.ExplicitPort);
        Assert.Equal("50000-50099", options.Ftp.PassivePorts);
        Assert.Equal(60, options.Ftp.ControlKeepAliveSeconds);
    }

    [Fact]
    public void Unknown_keys_are_reported_with_a_suggestion()
    {
        var problems = ConfigurationKeys.Check(Config(("Ftp:PasivePorts", "1-2"), ("Frobnicate", "x")), out _);
        Assert.Contains(problems, p => p.StartsWith("Ftp:PasivePorts: unknown setting (did you mean Ftp:PassivePorts?)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Frobnicate: unknown setting", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_hands_over_the_parsed_ranges_and_networks()
    {
        var options = new GatehouseOptions();
        options.Ftp.PassivePorts = "40000-40009";
        options.Ftp.PassivePortsAdvertised = "60000-60009";
        options.Ftp.TrustedProxies = ["10.0.0.0/8"];
        options.Access.AllowedNetworks = ["192.0.2.0/24", "198.51.100.7"];
        options.Bans.ExemptNetworks = ["203.0.113.0/24"];

        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        Assert.Equal((40000, 40009), (settings.PassivePorts.First, settings.PassivePorts.Last));
        Assert.Equal(60000, settings.PassivePortsAdvertised!.Value.First);
        Assert.True(settings.TrustedProxies.Contains(System.Net.IPAddress.Parse("10.1.2.3")));
        Assert.True(settings.AllowedNetworks.Contains(System.Net.IPAddress.Parse("198.51.100.7")));
        Assert.False(settings.AllowedNetworks.Contains(System.Net.IPAddress.Parse("198.51.100.8")));
        Assert.True(settings.DeniedNetworks.IsEmpty);
        Assert.True(settings.BanExemptNetworks.Contains(System.Net.IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void Validation_hands_over_the_parsed_listen_and_announced_addresses()
    {
        var options = new GatehouseOptions();
        options.Ftp.ListenAddresses = ["127.0.0.1", "::1"];
        options.Ftp.PassiveAddress = " ftp.example.test ";
        options.Ftp.PassiveAddressOverrides = [new PassiveAddressOverride { Network = "10.0.0.0/8", Address = "::ffff:10.0.0.10" }];

        Assert.Empty(GatehouseOptionsValidator.Validate(options, out var settings));
        Assert.Equal([System.Net.IPAddress.Loopback, System.Net.IPAddress.IPv6Loopback], settings.ListenAddresses);
        Assert.Equal(new AnnouncedAddress("ftp.example.test", null), settings.PassiveAddress);
        var rule = Assert.Single(settings.PassiveAddressOverrides);
        Assert.True(rule.Network.Contains(System.Net.IPAddress.Parse("10.9.9.9")));
        Assert.Equal(System.Net.IPAddress.Parse("10.0.0.10"), rule.Address.Literal);
    }

    [Fact]
    public void Every_list_key_accepts_an_empty_list_written_in_json()
    {
        var lists = ConfigurationKeys.Lists.ToList();
        Assert.Contains("Access:AllowedNetworks", lists);
        Assert.Contains("Ftp:PassiveAddressOverrides", lists);
        foreach (var list in lists)
        {
            var sections = list.Split(':');
            var json = string.Concat(sections.Select(section => $"{{ \"{section}\": ")) + "[]" + new string('}', sections.Length);
            var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();

            Assert.Empty(ConfigurationKeys.Check(configuration, out var usable));
            var options = new GatehouseOptions();
            usable.Bind(options);
            Assert.Empty(GatehouseOptionsValidator.Problems(options));
        }
    }

    [Fact]
    public void Wrong_types_name_the_key_and_the_fix()
    {
        var problems = ConfigurationKeys.Check(Config(
            ("Ftp:ExplicitPort", "twenty-one"), ("Ftp:AllowActiveMode", "maybe"), ("Tls:Policy", "Sometimes"),
            ("Ftp:PassiveAddressOverrides:0:Network", "10.0.0.0/8"), ("Logging:LogLevel:Default", "Debug")), out var usable);
        Assert.Equal(3, problems.Count);
        Assert.Contains("Ftp:ExplicitPort: 'twenty-one' is not a whole number; write digits only, for example 60.", problems);
        Assert.Contains(problems, p => p.StartsWith("Ftp:AllowActiveMode:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Tls:Policy:", StringComparison.Ordinal) && p.Contains("Required, Optional or Disabled", StringComparison.Ordinal));
        Assert.Equal(["Ftp:PassiveAddressOverrides:0:Network", "Logging:LogLevel:Default"],
            usable.AsEnumerable().Where(pair => pair.Value is not null).Select(pair => pair.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(AccountStoreProvider.PostgreSql, null, "must be set when AccountStore:Provider is PostgreSql")]
    [InlineData(AccountStoreProvider.PostgreSql, "Database=gatehouse", "names no Host")]
    [InlineData(AccountStoreProvider.PostgreSql, "Host=db;Bogus Key=1", "is not a valid PostgreSQL connection string")]
    [InlineData(AccountStoreProvider.Sqlite, "Host=db", "is only used with AccountStore:Provider PostgreSql")]
    [InlineData(AccountStoreProvider.PostgreSql, "Host=db.internal;Database=gatehouse;Username=gatehouse;Passfile=/etc/gatehouse/pgpass", null)]
    public void The_account_store_setting_is_checked_before_start(AccountStoreProvider provider, string? connectionString, string? expected)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { AccountStore = { Provider = provider, ConnectionString = connectionString } });
        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.StartsWith("AccountStore:ConnectionString:", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(2121, 600, "Cluster:HealthPort: 2121 is already an FTP control or passive port")]
    [InlineData(50010, 600, "Cluster:HealthPort: 50010 is already an FTP control or passive port")]
    [InlineData(70000, 600, "Cluster:HealthPort: 70000 is not a TCP port")]
    [InlineData(8021, 0, "Cluster:DrainTimeoutSeconds: is 0; use 1 to 604800 seconds")]
    [InlineData(8021, 600, null)]
    public void Cluster_settings_are_checked(int healthPort, int drainTimeout, string? expected)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Cluster = { HealthPort = healthPort, DrainTimeoutSeconds = drainTimeout } });
        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_relay_needs_a_node_address_the_shared_store_and_same_address_matching()
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions
        {
            Cluster = { RelayPort = 2100, RelayAddress = "0.0.0.0" },
            Ftp = { RequireSameClientIpForData = false },
        });
        Assert.Contains(problems, problem => problem.StartsWith("Cluster:RelayAddress: '0.0.0.0' is not this node's address", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Cluster:RelayPort: needs the shared store", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.StartsWith("Cluster:RelayPort: matches each data connection", StringComparison.Ordinal));

        Assert.Contains(
            GatehouseOptionsValidator.Problems(new GatehouseOptions { Cluster = { RelayPort = 50005, RelayAddress = "10.0.0.11" }, AccountStore = { Provider = AccountStoreProvider.PostgreSql, ConnectionString = "Host=db" } }),
            problem => problem.StartsWith("Cluster:RelayPort: 50005 is already an FTP control, passive or health port", StringComparison.Ordinal));
        Assert.Empty(GatehouseOptionsValidator.Problems(new GatehouseOptions
        {
            Cluster = { RelayPort = 2100, RelayAddress = "10.0.0.11" },
            AccountStore = { Provider = AccountStoreProvider.PostgreSql, ConnectionString = "Host=db" },
        }));
        Assert.Contains(GatehouseOptionsValidator.Problems(new GatehouseOptions { Cluster = { RelayAddress = "10.0.0.11" } }),
            problem => problem.StartsWith("Cluster:RelayAddress: is only used with Cluster:RelayPort", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_account_store_names_the_choices()
    {
        var problems = ConfigurationKeys.Check(Config(("AccountStore:Provider", "MySql")), out _);
        Assert.Equal(["AccountStore:Provider: 'MySql' is not an account store; use Sqlite or PostgreSql."], problems);
    }

    [Theory]
    [InlineData("50100-50000", "starts after it ends")]
    [InlineData("80-90", "1024-65535")]
    [InlineData("50000", "FIRST-LAST")]
    public void Passive_port_range_problems_are_explained(string value, string expected)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Ftp = { PassivePorts = value } });
        Assert.Contains(problems, p => p.StartsWith("Ftp:PassivePorts:", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("60000-60009", null)]
    [InlineData("60000-60019", "they map one for one")]
    [InlineData("60000", "FIRST-LAST")]
    public void Advertised_passive_ports_must_map_one_for_one(string advertised, string? expected)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Ftp = { PassivePorts = "50000-50009", PassivePortsAdvertised = advertised } });
        if (expected is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.StartsWith("Ftp:PassivePortsAdvertised:", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(86401)]
    public void Passive_address_refresh_must_be_a_sane_interval(int seconds)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Ftp = { PassiveAddressRefreshSeconds = seconds } });
        Assert.Contains(problems, p => p.StartsWith("Ftp:PassiveAddressRefreshSeconds:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(536, true)]
    [InlineData(1200, true)]
    [InlineData(1460, true)]
    [InlineData(535, false)]
    [InlineData(1461, false)]
    [InlineData(-1, false)]
    public void Max_segment_size_is_the_systems_choice_or_536_to_1460(int bytes, bool valid)
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Ftp = { MaxSegmentSize = bytes } })
            .Where(p => p.StartsWith("Ftp:MaxSegmentSize:", StringComparison.Ordinal)).ToList();
        if (valid)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Equal($"Ftp:MaxSegmentSize: is {bytes}; use 0 (the system's choice) or 536 to 1460 bytes, for example 1200 behind a tunnel with an MTU of 1280.", Assert.Single(problems));
        }
    }

    [Fact]
    public void Every_semantic_problem_is_listed_at_once()
    {
        var options = new GatehouseOptions
        {
            Ftp =
            {
                ExplicitPort = 0,
                ImplicitPort = 0,
                ListenAddresses = ["not-an-ip"],
                PassiveAddress = "2001:db8::1",
                PassiveAddressOverrides = [new PassiveAddressOverride { Network = "10.0.0.0/33", Address = "10.0.0.1" }],
                ControlKeepAliveSeconds = -5,
            },
            Limits = { MaxSessions = 0, IdleTimeoutSeconds = 0 },
        };
        var problems = GatehouseOptionsValidator.Problems(options);
        string[] keys =
        [
            "Ftp:ListenAddresses:0:", "Ftp:ExplicitPort:", "Ftp:PassiveAddress:", "Ftp:PassiveAddressOverrides:0:Network:",
            "Ftp:ControlKeepAliveSeconds:", "Limits:MaxSessions:", "Limits:IdleTimeoutSeconds:",
        ];
        foreach (var key in keys)
        {
            Assert.Contains(problems, p => p.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7200)]
    public void Keep_alive_accepts_zero_and_any_positive_seconds(int seconds) =>
        Assert.Empty(GatehouseOptionsValidator.Problems(new GatehouseOptions { Ftp = { ControlKeepAliveSeconds = seconds } }));

    [Fact]
    public void Implicit_tls_with_tls_disabled_is_a_problem()
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Ftp = { ImplicitPort = 990 }, Tls = { Policy = TlsPolicy.Disabled } });
        Assert.Contains(problems, p => p.StartsWith("Ftp:ImplicitPort:", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_certificate_file_is_a_problem()
    {
        var problems = GatehouseOptionsValidator.Problems(new GatehouseOptions { Tls = { CertificateFile = "/nonexistent/cert.pem", KeyFile = "/nonexistent/key.pem" } });
        Assert.Contains(problems, p => p.StartsWith("Tls:CertificateFile: file '/nonexistent/cert.pem' does not exist", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Tls:KeyFile:", StringComparison.Ordinal));
    }

    [Fact]
    public void Binding_reads_lists_and_nested_overrides()
    {
        var options = new GatehouseOptions();
        Config(("Ftp:ListenAddresses:0", "127.0.0.1"), ("Ftp:PassiveAddressOverrides:0:Network", "10.0.0.0/8"),
            ("Ftp:PassiveAddressOverrides:0:Address", "10.0.0.5"), ("Tls:Policy", "optional")).Bind(options);
        Assert.Equal(["127.0.0.1"], options.Ftp.ListenAddresses);
        Assert.Equal("10.0.0.5", options.Ftp.PassiveAddressOverrides.Single().Address);
        Assert.Equal(TlsPolicy.Optional, options.Tls.Policy);
    }
}
