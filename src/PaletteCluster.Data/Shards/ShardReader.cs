using System.Security.Cryptography;
using System.Text.Json;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Reads a folder written by <see cref="ShardBuilder"/>: checks the manifest and that every shard exists with its
/// recorded size (and, optionally, SHA-256), enumerates records in global order, and fetches a record by global index
/// (the shard is found from the manifest's record counts; its member offsets are indexed by one header-only scan on
/// first use). Each record's image bytes are checked against the length and SHA-256 in its sidecar.
/// Thread-safe for concurrent reads.
/// </summary>
public sealed class ShardReader
{
    private readonly Dictionary<int, RecordLocation[]> _indexes = new();
    private readonly object _indexLock = new();

    public string Folder { get; }
    public ShardManifest Manifest { get; }
    public long Count => Manifest.TotalRecords;

    private ShardReader(string folder, ShardManifest manifest)
    {
        Folder = folder;
        Manifest = manifest;
    }

    /// <param name="verifyShardHashes">also hash every shard file (reads all data once) and compare with the manifest.</param>
    /// <exception cref="ShardIntegrityException">the manifest is missing/invalid or a shard is missing, resized or altered.</exception>
    public static ShardReader Open(string folder, bool verifyShardHashes = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.GetFullPath(folder);
        string manifestPath = Path.Combine(full, ShardFormat.ManifestFileName);
        if (!File.Exists(manifestPath))
            throw new ShardIntegrityException(manifestPath, "not found; the folder is not a complete shard build (the manifest is written last)");
        ShardManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ShardManifest>(File.ReadAllBytes(manifestPath), ShardFormat.Json)
                       ?? throw new ShardIntegrityException(manifestPath, "is empty");
        }
        catch (JsonException e)
        {
            throw new ShardIntegrityException(manifestPath, $"is not valid JSON ({e.Message})", e);
        }
        if (manifest.FormatVersion != ShardFormat.Version)
            throw new ShardIntegrityException(manifestPath,
                $"format version {manifest.FormatVersion} is not supported (this reader reads version {ShardFormat.Version})");

        long expectedFirst = 0;
        foreach (var s in manifest.Shards)
        {
            string path = Path.Combine(full, s.File);
            if (s.FirstIndex != expectedFirst)
                throw new ShardIntegrityException(manifestPath, $"shard '{s.File}' starts at record {s.FirstIndex}, expected {expectedFirst}");
            expectedFirst += s.Records;
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new ShardIntegrityException(path, "is listed in the manifest but missing");
            if (info.Length != s.Bytes)
                throw new ShardIntegrityException(path, $"is {info.Length} bytes but the manifest says {s.Bytes}; the shard was modified or truncated");
        }
        if (expectedFirst != manifest.TotalRecords)
            throw new ShardIntegrityException(manifestPath, $"shard record counts add up to {expectedFirst}, but totalRecords is {manifest.TotalRecords}");

        var reader = new ShardReader(full, manifest);
        if (verifyShardHashes) reader.VerifyShardHashes();
        return reader;
    }

    /// <summary>Hashes every shard file and compares with the manifest.</summary>
    /// <exception cref="ShardIntegrityException">names the first shard whose SHA-256 differs.</exception>
    public void VerifyShardHashes()
    {
        foreach (var s in Manifest.Shards)
        {
            string path = Path.Combine(Folder, s.File);
            string actual;
            using (var f = File.OpenRead(path))
                actual = Convert.ToHexStringLower(SHA256.HashData(f));
            if (!actual.Equals(s.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new ShardIntegrityException(path,
                    $"SHA-256 mismatch: manifest says {s.Sha256}, file has {actual}; the shard is corrupt or was altered");
        }
    }

    /// <summary>All records in global index order, streaming one shard at a time.</summary>
    public IEnumerable<ShardRecord> ReadAll()
    {
        for (int si = 0; si < Manifest.Shards.Count; si++)
        {
            var info = Manifest.Shards[si];
            string path = Path.Combine(Folder, info.File);
            long n = 0;
            using var tar = new UstarReader(File.OpenRead(path), path);
            var pending = new List<TarEntry>(2);
            foreach (var entry in ReadEntriesChecked(tar, path))
            {
                if (pending.Count > 0 && KeyOf(pending[0].Name) != KeyOf(entry.Name))
                {
                    yield return Assemble(pending, path, info.FirstIndex + n);
                    n++;
                    pending.Clear();
                }
                pending.Add(entry);
            }
            if (pending.Count > 0)
            {
                yield return Assemble(pending, path, info.FirstIndex + n);
                n++;
            }
            if (n != info.Records)
                throw new ShardIntegrityException(path, $"holds {n} records but the manifest says {info.Records}");
        }
    }

    /// <summary>The record at global <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public ShardRecord Get(long index)
    {
        if (index < 0 || index >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard set has {Count} records.");
        int si = FindShard(index);
        var info = Manifest.Shards[si];
        string path = Path.Combine(Folder, info.File);
        var loc = Index(si)[index - info.FirstIndex];
        using var f = File.OpenRead(path);
        var entries = new List<TarEntry>(2)
        {
            loc.Image with { Data = ReadAt(f, loc.Image, path) },
            loc.Json with { Data = ReadAt(f, loc.Json, path) },
        };
        return Assemble(entries, path, index);
    }

    private int FindShard(long index)
    {
        int lo = 0, hi = Manifest.Shards.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Manifest.Shards[mid].FirstIndex <= index) lo = mid; else hi = mid - 1;
        }
        // Empty shards never exist (a shard is only opened for a record), so lo holds the index.
        return lo;
    }

    private RecordLocation[] Index(int shard)
    {
        lock (_indexLock)
        {
            if (_indexes.TryGetValue(shard, out var cached)) return cached;
            var info = Manifest.Shards[shard];
            string path = Path.Combine(Folder, info.File);
            var result = new List<RecordLocation>();
            using (var tar = new UstarReader(File.OpenRead(path), path))
            {
                var pending = new List<TarEntry>(2);
                void Flush()
                {
                    var (image, json) = Split(pending, path);
                    result.Add(new RecordLocation(image, json));
                    pending.Clear();
                }
                while (NextChecked(tar, path, readData: false) is { } e)
                {
                    if (pending.Count > 0 && KeyOf(pending[0].Name) != KeyOf(e.Name)) Flush();
                    pending.Add(e);
                }
                if (pending.Count > 0) Flush();
            }
            if (result.Count != info.Records)
                throw new ShardIntegrityException(path, $"holds {result.Count} records but the manifest says {info.Records}");
            var array = result.ToArray();
            _indexes[shard] = array;
            return array;
        }
    }

    private static IEnumerable<TarEntry> ReadEntriesChecked(UstarReader tar, string path)
    {
        while (NextChecked(tar, path, readData: true) is { } e) yield return e;
    }

    private static TarEntry? NextChecked(UstarReader tar, string path, bool readData)
    {
        try
        {
            return tar.Next(readData);
        }
        catch (TarFormatException e)
        {
            throw new ShardIntegrityException(path, e.Message, e);
        }
    }

    private static byte[] ReadAt(FileStream f, TarEntry entry, string path)
    {
        var data = new byte[entry.Size];
        f.Seek(entry.DataOffset, SeekOrigin.Begin);
        int total = 0;
        while (total < data.Length)
        {
            int n = f.Read(data, total, data.Length - total);
            if (n == 0) throw new ShardIntegrityException(path, $"ends inside member '{entry.Name}'");
            total += n;
        }
        return data;
    }

    /// <summary>WebDataset's rule: the key is the member name up to the first '.' of its last path component.</summary>
    internal static string KeyOf(string name)
    {
        int slash = name.LastIndexOf('/');
        int dot = name.IndexOf('.', slash + 1);
        return dot < 0 ? name : name[..dot];
    }

    private static (TarEntry Image, TarEntry Json) Split(List<TarEntry> entries, string path)
    {
        string key = KeyOf(entries[0].Name);
        TarEntry? image = null, json = null;
        foreach (var e in entries)
        {
            string ext = e.Name[KeyOf(e.Name).Length..].ToLowerInvariant();
            if (ext is ".jpg" or ".png")
                image = image is null ? e : throw new ShardIntegrityException(path, $"record '{key}' has more than one image member");
            else if (ext == ShardFormat.MetadataExtension)
                json = json is null ? e : throw new ShardIntegrityException(path, $"record '{key}' has more than one .json member");
            else
                throw new ShardIntegrityException(path, $"record '{key}' has an unexpected member '{e.Name}'");
        }
        if (image is null) throw new ShardIntegrityException(path, $"record '{key}' has no .jpg/.png member");
        if (json is null) throw new ShardIntegrityException(path, $"record '{key}' has no .json member");
        return (image, json);
    }

    private static ShardRecord Assemble(List<TarEntry> entries, string path, long index)
    {
        var (image, json) = Split(entries, path);
        string key = KeyOf(image.Name);
        ShardRecordMetadata meta;
        try
        {
            meta = JsonSerializer.Deserialize<ShardRecordMetadata>(json.Data!, ShardFormat.Json)
                   ?? throw new ShardIntegrityException(path, $"record '{key}': {json.Name} is empty");
        }
        catch (JsonException e)
        {
            throw new ShardIntegrityException(path, $"record '{key}': {json.Name} is not valid metadata JSON ({e.Message})", e);
        }
        var bytes = image.Data!;
        if (bytes.Length != meta.Bytes)
            throw new ShardIntegrityException(path, $"record '{key}': image is {bytes.Length} bytes but its metadata says {meta.Bytes}");
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!sha.Equals(meta.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new ShardIntegrityException(path, $"record '{key}': image SHA-256 {sha} does not match its metadata ({meta.Sha256})");
        return new ShardRecord(index, key, Path.GetFileName(path), image.Name[key.Length..], bytes, meta);
    }

    private sealed record RecordLocation(TarEntry Image, TarEntry Json);
}
