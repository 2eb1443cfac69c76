namespace PaletteCluster.Data.Shards;

/// <summary>The <c>&lt;key&gt;.json</c> sidecar of a record: where the image came from and what it is.</summary>
/// <param name="Source">'/'-separated path of the original file relative to the build's base directory.</param>
/// <param name="Format">"jpeg" or "png" (the real format, whatever the source extension said).</param>
/// <param name="Bytes">length of the stored (original, not re-encoded) image bytes.</param>
/// <param name="Sha256">lowercase hex SHA-256 of the stored image bytes.</param>
public sealed record ShardRecordMetadata(string Source, string Format, int Width, int Height, long Bytes, string Sha256);
