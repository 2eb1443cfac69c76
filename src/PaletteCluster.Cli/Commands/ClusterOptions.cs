using System.CommandLine;
using PaletteCluster.Hosting;

namespace PaletteCluster.Cli.Commands;

/// <summary>The options that say which cluster a silo or worker belongs to, spelled the same for both.</summary>
public sealed class ClusterOptions
{
    private readonly Option<SiloMode> _mode = new("--mode") { Description = "embedded (one machine, state in local files) or cluster (PostgreSQL)", DefaultValueFactory = _ => SiloMode.Embedded };
    private readonly Option<string?> _postgres = new("--postgres") { Description = "Cluster mode: PostgreSQL connection string (default: $PALETTE_POSTGRES)" };
    private readonly Option<string> _clusterId = new("--cluster-id") { Description = "Processes with the same cluster id form one cluster", DefaultValueFactory = _ => "palette" };
    private readonly Option<string> _serviceId = new("--service-id") { Description = "Keys persisted grain state across deployments", DefaultValueFactory = _ => "palette" };
    private readonly Option<string> _address = new("--address") { Description = "Address other processes use to reach this one", DefaultValueFactory = _ => "127.0.0.1" };
    private readonly Option<int> _siloPort = new Option<int>("--silo-port") { Description = "Silo-to-silo port", DefaultValueFactory = _ => 11111 }.InRange(1, 65535);
    private readonly Option<int> _gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients (workers) connect to; embedded workers use it to find the silo", DefaultValueFactory = _ => 30000 }.InRange(1, 65535);
    private readonly Option<string> _state = new("--state") { Description = "Embedded mode: folder of grain state files", DefaultValueFactory = _ => Path.Combine("runs", "cluster-state") };
    private readonly Option<bool> _fast = new("--fast-failure-detection") { Description = "Declare dead silos within about a second (tests, chaos runs)" };

    public IEnumerable<Option> All => [_mode, _postgres, _clusterId, _serviceId, _address, _siloPort, _gatewayPort, _state, _fast];

    public PaletteSiloOptions Read(ParseResult parse, int apiPort = 0) => new()
    {
        Mode = parse.GetValue(_mode),
        Postgres = parse.GetValue(_postgres) ?? Environment.GetEnvironmentVariable("PALETTE_POSTGRES"),
        ClusterId = parse.GetValue(_clusterId)!,
        ServiceId = parse.GetValue(_serviceId)!,
        AdvertisedAddress = parse.GetValue(_address)!,
        SiloPort = parse.GetValue(_siloPort),
        GatewayPort = parse.GetValue(_gatewayPort),
        StateDirectory = parse.GetValue(_state)!,
        FastFailureDetection = parse.GetValue(_fast),
        ApiPort = apiPort,
    };
}
