using Orleans.Configuration;

namespace PaletteCluster.Hosting.Postgres;

/// <summary>
/// The few membership settings that decide how fast a silo that stopped answering is declared dead
/// (see Orleans' ClusterMembershipOptions for each one).
/// </summary>
public sealed record MembershipTimeouts
{
    /// <summary>How long a silo waits for a probe answer before counting it as missed.</summary>
    public required TimeSpan ProbeTimeout { get; init; }

    /// <summary>Missed probes in a row before a silo suspects the one it probes.</summary>
    public required int NumMissedProbesLimit { get; init; }

    /// <summary>Suspicions needed to declare a silo dead.</summary>
    public required int NumVotesForDeathDeclaration { get; init; }

    /// <summary>How often each silo re-reads the membership table.</summary>
    public required TimeSpan TableRefreshTimeout { get; init; }

    /// <summary>How often each silo writes its liveness time to the table.</summary>
    public required TimeSpan IAmAliveTablePublishTimeout { get; init; }

    /// <summary>Seconds instead of tens of seconds: for tests and single-machine demos, too twitchy for real networks.</summary>
    public static MembershipTimeouts Fast { get; } = new()
    {
        ProbeTimeout = TimeSpan.FromSeconds(1),
        NumMissedProbesLimit = 2,
        NumVotesForDeathDeclaration = 1,
        TableRefreshTimeout = TimeSpan.FromSeconds(2),
        IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5),
    };

    public void ApplyTo(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
    }
}
