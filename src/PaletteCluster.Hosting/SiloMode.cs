namespace PaletteCluster.Hosting;

public enum SiloMode
{
    /// <summary>One machine, nothing to install: localhost clustering, grain state in local files.</summary>
    Embedded,
    /// <summary>Many machines: membership, grain state and reminders in PostgreSQL.</summary>
    Cluster,
}
