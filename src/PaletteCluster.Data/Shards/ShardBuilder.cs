using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Packs validated JPEG/PNG files into WebDataset-compatible tar shards plus manifest.json and report.json
/// (format: docs/shard-format.md). Bad files are skipped and reported, never fatal. Records follow the ordinal order
/// of the inputs' relative paths, so the same inputs always give byte-identical shards. When the output's manifest
/// records the same input fingerprint (see <see cref="InputFingerprinter"/>) and its shards are present, nothing is
/// rewritten; otherwise the output is rebuilt from scratch.
/// </summary>
public static class ShardBuilder
{
    /// <exception cref="DirectoryNotFoundException">an input folder is missing.</exception>
    /// <exception cref="FileNotFoundException">a list file is missing.</exception>
    /// <exception cref="IOException">the output cannot be written.</exception>
    public static ShardBuildReport Build(ShardBuildOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputFolder);
        if (options.TargetShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "TargetShardBytes must be positive.");
        if (options.MaxPixels <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxPixels must be positive.");
        if (options.MaxFileBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxFileBytes must be positive.");
        var logger = options.Logger ?? NullLogger.Instance;

        var (inputs, baseDir) = ShardInputs.Collect(options);
        string output = Path.GetFullPath(options.OutputFolder);
        var settings = SettingsOf(options, baseDir);
        string fingerprint = InputFingerprinter.Compute(inputs, settings);

        if (!options.Force && TryUpToDate(output, fingerprint, inputs.Count, logger) is { } existing)
            return existing;

        Directory.CreateDirectory(output);
        ClearPreviousBuild(output);

        var issues = new List<ShardIssue>();
        var shards = new List<ShardFileInfo>();
        var keys = ShardKeys.Assign(inputs.Select(i => i.RelativePath).ToArray());
        var sizes = new SizeStatsBuilder();
        long bytesTotal = inputs.Sum(i => Math.Max(0, i.Length)), bytesDone = 0, records = 0, imageBytes = 0;

        ShardWriter? current = null;
        try
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var input = inputs[i];
                var (bytes, probe, issue) = Validate(input, options);
                if (issue is not null)
                {
                    issues.Add(issue);
                    if (issue.Accepted)
                        logger.LogInformation("Flagged {Path}: {Reason}", input.FullPath, issue.Reason);
                    else
                        logger.LogWarning("Skipping {Path}: {Reason}", input.FullPath, issue.Reason);
                }
                if (bytes is not null && probe is not null && probe.Usable)
                {
                    string ext = ShardFormat.ExtensionFor(probe.Format);
                    var meta = new ShardRecordMetadata(input.RelativePath, probe.Format.ToString().ToLowerInvariant(),
                        probe.Width, probe.Height, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
                    byte[] json = JsonSerializer.SerializeToUtf8Bytes(meta, ShardFormat.CompactJson);
                    long recordLength = TarHeader.EntryLength(bytes.Length) + TarHeader.EntryLength(json.Length);

                    if (current is not null && current.Records > 0
                        && current.Length + recordLength + 2 * TarHeader.BlockSize > options.TargetShardBytes)
                    {
                        shards.Add(current.Close());
                        current = null;
                    }
                    current ??= new ShardWriter(output, shards.Count, records);
                    current.Add(keys[i] + ext, bytes, keys[i] + ShardFormat.MetadataExtension, json);
                    records++;
                    imageBytes += bytes.Length;
                    sizes.Add(probe.Width, probe.Height);
                }
                bytesDone += Math.Max(0, input.Length);
                options.Progress?.Report(new ShardBuildProgress(i + 1, inputs.Count, bytesDone, bytesTotal,
                    records, shards.Count + (current is null ? 0 : 1), input.RelativePath));
            }
            if (current is not null) shards.Add(current.Close());
            current = null;
        }
        finally
        {
            current?.Abandon();
        }

        var report = MakeReport(output, inputs.Count, records, shards.Count, issues, upToDate: false);
        AtomicFile.WriteAllBytes(Path.Combine(output, ShardFormat.ReportFileName),
            JsonSerializer.SerializeToUtf8Bytes(report, ShardFormat.Json));
        var manifest = new ShardManifest
        {
            InputFingerprint = fingerprint,
            Settings = settings,
            TotalRecords = records,
            TotalImageBytes = imageBytes,
            Shards = shards,
            Images = sizes.Build(),
        };
        // Last: its presence is what marks the build complete.
        AtomicFile.WriteAllBytes(Path.Combine(output, ShardFormat.ManifestFileName),
            JsonSerializer.SerializeToUtf8Bytes(manifest, ShardFormat.Json));
        logger.LogInformation("Wrote {Records} records in {Shards} shards to {Output}; skipped {Skipped}, flagged {Flagged}",
            records, shards.Count, output, report.SkippedCount, report.FlaggedCount);
        return report;
    }

    /// <summary>
    /// The input fingerprint a build with <paramref name="options"/> would record (a scan of the inputs, no reads), so a
    /// caller can tell that a published copy of the output is current without building it again.
    /// </summary>
    public static string InputFingerprint(ShardBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (inputs, baseDir) = ShardInputs.Collect(options);
        return InputFingerprinter.Compute(inputs, SettingsOf(options, baseDir));
    }

    private static ShardBuildSettings SettingsOf(ShardBuildOptions options, string baseDir) => new()
    {
        InputFolders = options.InputFolders.Select(Path.GetFullPath).ToArray(),
        ListFiles = options.ListFiles.Select(Path.GetFullPath).ToArray(),
        BaseDirectory = baseDir,
        TargetShardBytes = options.TargetShardBytes,
        MaxPixels = options.MaxPixels,
        MaxFileBytes = options.MaxFileBytes,
    };

    private static (byte[]? Bytes, ImageProbeResult? Probe, ShardIssue? Issue) Validate(ShardInput input, ShardBuildOptions options)
    {
        ShardIssue Issue(ShardIssueKind kind, string reason, bool accepted = false) =>
            new(input.RelativePath, input.FullPath, kind, reason, accepted);

        if (input.Length == 0)
            return (null, null, Issue(ShardIssueKind.ZeroByte, "zero-byte file"));
        if (input.Length > options.MaxFileBytes)
            return (null, null, Issue(ShardIssueKind.TooLarge,
                $"too large: file is {input.Length} bytes, above the limit of {options.MaxFileBytes}"));
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(input.FullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is FileNotFoundException or DirectoryNotFoundException ? "unreadable: file not found"
                : e is UnauthorizedAccessException ? $"unreadable: permission denied ({e.Message})"
                : $"unreadable: I/O error ({e.Message})";
            return (null, null, Issue(ShardIssueKind.Unreadable, reason));
        }
        // Sizes are re-checked on the bytes actually read: the file may have changed since the scan.
        if (bytes.Length > options.MaxFileBytes)
            return (null, null, Issue(ShardIssueKind.TooLarge,
                $"too large: file is {bytes.Length} bytes, above the limit of {options.MaxFileBytes}"));

        var probe = ImageProbe.Inspect(bytes, input.FullPath, options.MaxPixels);
        if (probe.Problem is not { } kind) return (bytes, probe, null);
        return (bytes, probe, Issue(kind, probe.Reason!, accepted: probe.Usable));
    }

    private static ShardBuildReport MakeReport(string output, int inputs, long records, int shards,
        IReadOnlyList<ShardIssue> issues, bool upToDate) => new()
    {
        UpToDate = upToDate,
        OutputFolder = output,
        InputFiles = inputs,
        RecordsWritten = records,
        ShardCount = shards,
        SkippedCount = issues.Count(i => !i.Accepted),
        FlaggedCount = issues.Count(i => i.Accepted),
        CountsByKind = issues.GroupBy(i => i.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
        Issues = issues,
    };

    /// <summary>The previous build's report when its manifest matches <paramref name="fingerprint"/> and its shards are intact in size.</summary>
    private static ShardBuildReport? TryUpToDate(string output, string fingerprint, int inputCount, ILogger logger)
    {
        string manifestPath = Path.Combine(output, ShardFormat.ManifestFileName);
        if (!File.Exists(manifestPath)) return null;
        ShardManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ShardManifest>(File.ReadAllBytes(manifestPath), ShardFormat.Json);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Existing manifest {Path} is unreadable ({Message}); rebuilding", manifestPath, e.Message);
            return null;
        }
        if (manifest is null || manifest.FormatVersion != ShardFormat.Version || manifest.InputFingerprint != fingerprint)
        {
            logger.LogInformation("Inputs or settings changed since {Path}; rebuilding", manifestPath);
            return null;
        }
        foreach (var s in manifest.Shards)
        {
            var f = new FileInfo(Path.Combine(output, s.File));
            if (!f.Exists || f.Length != s.Bytes)
            {
                logger.LogWarning("Shard {Shard} is missing or has the wrong size; rebuilding", f.FullName);
                return null;
            }
        }

        IReadOnlyList<ShardIssue> issues = Array.Empty<ShardIssue>();
        string reportPath = Path.Combine(output, ShardFormat.ReportFileName);
        try
        {
            if (File.Exists(reportPath))
                issues = JsonSerializer.Deserialize<ShardBuildReport>(File.ReadAllBytes(reportPath), ShardFormat.Json)?.Issues ?? issues;
        }
        catch (JsonException) { /* the manifest is what matters; an unreadable report only loses the issue list */ }
        logger.LogInformation("Shards in {Output} are up to date ({Records} records); nothing to do", output, manifest.TotalRecords);
        return MakeReport(output, inputCount, manifest.TotalRecords, manifest.Shards.Count, issues, upToDate: true);
    }

    /// <summary>Removes the old manifest first (so an interrupted rebuild never looks complete), then old shards.</summary>
    private static void ClearPreviousBuild(string output)
    {
        File.Delete(Path.Combine(output, ShardFormat.ManifestFileName));
        foreach (var pattern in new[] { "shard-*.tar", "shard-*.tar.partial", "*.json.tmp" })
            foreach (var f in Directory.EnumerateFiles(output, pattern))
                File.Delete(f);
    }

    /// <summary>One shard being written to a .partial file, renamed into place on <see cref="Close"/>.</summary>
    private sealed class ShardWriter
    {
        private readonly string _final, _partial;
        private readonly long _firstIndex;
        private readonly HashingWriteStream _hashing;
        private readonly UstarWriter _tar;

        public long Records { get; private set; }
        public long Length => _tar.Position;

        public ShardWriter(string output, int index, long firstIndex)
        {
            _final = Path.Combine(output, ShardFormat.ShardFileName(index));
            _partial = _final + ".partial";
            _firstIndex = firstIndex;
            _hashing = new HashingWriteStream(new FileStream(_partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
            _tar = new UstarWriter(_hashing);
        }

        public void Add(string imageName, byte[] image, string jsonName, byte[] json)
        {
            _tar.WriteEntry(imageName, image);
            _tar.WriteEntry(jsonName, json);
            Records++;
        }

        public ShardFileInfo Close()
        {
            _tar.Finish();
            string hash = _hashing.HashHex();
            long bytes = _hashing.BytesWritten;
            _tar.Dispose();
            File.Move(_partial, _final, overwrite: true);
            return new ShardFileInfo(Path.GetFileName(_final), _firstIndex, Records, bytes, hash);
        }

        public void Abandon()
        {
            try { _tar.Dispose(); } catch (IOException) { }
            try { File.Delete(_partial); } catch (IOException) { }
        }
    }

    /// <summary>Min/max dimensions and a long-side histogram with fixed power-of-two buckets.</summary>
    private sealed class SizeStatsBuilder
    {
        private static readonly int[] Bounds = { 64, 128, 256, 512, 1024, 2048, 4096, 8192 };
        private readonly long[] _counts = new long[Bounds.Length + 1];
        private int _minW = int.MaxValue, _maxW, _minH = int.MaxValue, _maxH;
        private bool _any;

        public void Add(int w, int h)
        {
            _any = true;
            _minW = Math.Min(_minW, w); _maxW = Math.Max(_maxW, w);
            _minH = Math.Min(_minH, h); _maxH = Math.Max(_maxH, h);
            int side = Math.Max(w, h), b = 0;
            while (b < Bounds.Length && side > Bounds[b]) b++;
            _counts[b]++;
        }

        public ImageSizeStats? Build()
        {
            if (!_any) return null;
            var hist = new Dictionary<string, long>();
            for (int b = 0; b <= Bounds.Length; b++)
                hist[b < Bounds.Length ? $"<={Bounds[b]}" : $">{Bounds[^1]}"] = _counts[b];
            return new ImageSizeStats(_minW, _maxW, _minH, _maxH, hist);
        }
    }
}
