namespace PaletteCluster.Data.Shards;

/// <summary>A shard folder does not match its manifest (missing/altered shard, bad hash, wrong record count, bad record).</summary>
public sealed class ShardIntegrityException : IOException
{
    /// <summary>The shard file concerned, or manifest.json.</summary>
    public string File { get; }

    public ShardIntegrityException(string file, string message, Exception? inner = null)
        : base($"Shard data '{file}': {message}", inner)
    {
        File = file;
    }
}
