namespace PaletteCluster.Hosting;

/// <summary>How a silo (and a cluster client) finds the cluster and where it keeps state. Bound from configuration
/// section "Palette:Silo" or built by the CLI.</summary>
public sealed record PaletteSiloOptions
{
    public SiloMode Mode { get; init; } = SiloMode.Embedded;
    /// <summary>Embedded mode: the folder of grain state files.</summary>
    public string StateDirectory { get; init; } = Path.Combine("runs", "cluster-state");
    /// <summary>Cluster mode: Npgsql connection string (or env PALETTE_POSTGRES).</summary>
    public string? Postgres { get; init; }
    /// <summary>Silos with the same ClusterId form one cluster; ServiceId keys persisted state across deployments.</summary>
    public string ClusterId { get; init; } = "palette";
    public string ServiceId { get; init; } = "palette";
    /// <summary>The address other silos and clients use to reach this one.</summary>
    public string AdvertisedAddress { get; init; } = "127.0.0.1";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    /// <summary>Port of the gRPC job API (HTTP/2 without TLS; put a proxy in front for TLS); 0: no API.</summary>
    public int ApiPort { get; init; } = 5280;
    /// <summary>A worker with no heartbeat for this long is declared lost; its job goes back to Pending.</summary>
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Short membership timeouts (tests, chaos runs): dead silos are noticed in about a second.</summary>
    public bool FastFailureDetection { get; init; }

    public void Validate()
    {
        if (Mode == SiloMode.Cluster && string.IsNullOrWhiteSpace(Postgres))
            throw new ArgumentException("postgres: cluster mode needs a PostgreSQL connection string (--postgres or PALETTE_POSTGRES)");
        foreach (var (name, port) in new[] { ("silo-port", SiloPort), ("gateway-port", GatewayPort) })
            if (port is < 1 or > 65535) throw new ArgumentException($"{name}: must be in 1..65535, got {port}");
        if (WorkerTimeout < TimeSpan.FromSeconds(1)) throw new ArgumentException($"worker-timeout-seconds: must be at least 1, got {WorkerTimeout.TotalSeconds}");
        if (ApiPort is < 0 or > 65535) throw new ArgumentException($"api-port: must be in 0..65535, got {ApiPort}");
    }
}
