using Orleans.Storage;

namespace PaletteCluster.Hosting.Postgres;

/// <summary>Where a silo or cluster client finds the cluster: one PostgreSQL database holding membership, state and reminders.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>The ADO.NET invariant the Orleans providers load Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The grain storage name grains use in [PersistentState(..., "palette")].</summary>
    public const string StorageName = "palette";

    /// <summary>Npgsql connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=palette.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>One deployment of the cluster; silos and clients only see members with the same ClusterId.</summary>
    public required string ClusterId { get; init; }

    /// <summary>The service across deployments: grain state and reminders are keyed by it and outlive a ClusterId.</summary>
    public required string ServiceId { get; init; }

    /// <summary>
    /// How grain state is turned into bytes. Null keeps Orleans' default (its binary serializer, which records type
    /// names: renaming a state type then breaks reads); hosts should pass a stable, schema-tolerant one.
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; init; }

    /// <summary>Failure-detection timing; null keeps Orleans' defaults (a dead silo is declared after ~10 s or more).</summary>
    public MembershipTimeouts? Membership { get; init; }
}
