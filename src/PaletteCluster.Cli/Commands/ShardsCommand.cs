using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaletteCluster.Data.Shards;
using PaletteCluster.Storage;

namespace PaletteCluster.Cli.Commands;

/// <summary>
/// <c>palette shards build|verify</c>: image folders to WebDataset-style tar shards (docs/shard-format.md), in a local
/// folder or a blob store (built in a local staging folder, then uploaded with the manifest last).
/// </summary>
public static class ShardsCommand
{
    public static Command Create()
    {
        var inputs = new Option<FileSystemInfo[]>("--input")
        {
            Description = "Image folder (searched recursively) or list file (one path per line, # comments); repeatable",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output")
        {
            Description = "Where shard-*.tar, report.json and manifest.json go: a folder, or a blob store: " +
                $"{BlobStoreLocation.AzureScheme}<container>[/<prefix>] (account from ${BlobStoreLocation.ConnectionStringVariable}) " +
                $"or an Azure connection string (container {ShardDataLocation.DefaultAzureContainer})",
            Required = true,
        };
        var staging = new Option<DirectoryInfo?>("--staging")
        {
            Description = $"For a blob store output: the local folder shards are built in before the upload (default: the store's folder in the data cache, ${ShardDataLocation.CacheVariable} or ~/.cache/palette/datasets)",
        };
        var storeTimeout = StoreTimeout();
        var shardMb = new Option<long>("--shard-size-mb") { Description = "Target shard size in MiB", DefaultValueFactory = _ => ShardBuildOptions.DefaultTargetShardBytes >> 20 }.InRange(1, 1L << 20);
        var maxMp = new Option<double>("--max-megapixels") { Description = "Skip images larger than this (checked from the header)", DefaultValueFactory = _ => ShardBuildOptions.DefaultMaxPixels / 1e6 };
        var force = new Option<bool>("--force") { Description = "Rebuild even when the inputs look unchanged" };
        var build = new Command("build", "Ingest JPEG/PNG images into shards; bad files are skipped, counted and listed in report.json")
        {
            inputs, output, staging, storeTimeout, shardMb, maxMp, force,
        };
        build.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(inputs)!;
            var missing = given.FirstOrDefault(i => !File.Exists(i.FullName) && !Directory.Exists(i.FullName));
            if (missing is not null) throw new FileNotFoundException($"input: '{missing.FullName}' is neither a folder nor a list file");
            if (!(parse.GetValue(maxMp) > 0)) throw new ArgumentException("--max-megapixels must be positive");
            var location = ShardDataLocation.Parse(parse.GetValue(output)!);

            using var logging = ConsoleReporting.CreateLoggerFactory();
            var logger = logging.CreateLogger("palette.shards");
            var bar = new ProgressBar(Console.Out, plainEvery: 500);
            var options = new ShardBuildOptions
            {
                InputFolders = given.Where(i => Directory.Exists(i.FullName)).Select(i => i.FullName).ToList(),
                ListFiles = given.Where(i => File.Exists(i.FullName)).Select(i => i.FullName).ToList(),
                OutputFolder = location.Folder,
                TargetShardBytes = parse.GetValue(shardMb) << 20,
                MaxPixels = (long)(parse.GetValue(maxMp) * 1e6),
                Force = parse.GetValue(force),
                Logger = logger,
                Progress = new ConsoleReporting.Inline<ShardBuildProgress>(p =>
                    bar.Report("files", p.FilesDone, p.FilesTotal, $"{p.BytesDone / 1e6:F1}/{p.BytesTotal / 1e6:F1} MB")),
            };
            if (location.Kind == BlobStoreKind.FileSystem)
            {
                var report = ShardBuilder.Build(options, cancellationToken);
                bar.Finish();
                PrintReport(report);
                return 0;
            }

            var store = location.Open(logger, RetryFor(parse.GetValue(storeTimeout)));
            string stagingFolder = parse.GetValue(staging)?.FullName
                ?? ShardDataLocation.CacheFolderFor(location, store, ShardDataLocation.DefaultCacheRoot());
            var uploadBar = new ProgressBar(Console.Out, plainEvery: 200);
            bool uploading = false;
            var uploadProgress = new ConsoleReporting.Inline<ShardTransferProgress>(p =>
            {
                if (!uploading) bar.Finish(); // the build's bar keeps its line; the upload draws below it
                uploading = true;
                uploadBar.Report("upload MB", p.BytesDone >> 20, p.BytesTotal >> 20, $"shard {p.ShardsDone}/{p.ShardsTotal} {p.CurrentFile}");
            });
            var result = await new ShardStoreBuilder(store, logger).BuildAsync(options with { OutputFolder = stagingFolder },
                uploadProgress, cancellationToken);
            if (result.Publish is { } publish)
            {
                uploadBar.Finish();
                Console.WriteLine($"Uploaded {publish.ShardsUploaded} shard(s) ({publish.BytesUploaded / 1e6:F1} MB) to {publish.Store}; " +
                    $"{publish.ShardsAlreadyThere} already there" + (publish.ManifestWritten ? "" : "; the store already held this manifest") +
                    (publish.StaleShardsRemoved == 0 ? "" : $"; removed {publish.StaleShardsRemoved} stale shard(s)"));
            }
            PrintReport(result.Report);
            return 0;
        });

        var folder = new Argument<string>("folder")
        {
            Description = "A shard folder (contains manifest.json), or a blob store location as for build --output (downloaded in full into a temporary folder and checked there)",
        };
        var verifyTimeout = StoreTimeout();
        var verify = new Command("verify", "Check every shard's SHA-256 and every record against the manifest") { folder, verifyTimeout };
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var value = parse.GetValue(folder)!;
            var location = ShardDataLocation.Parse(value);
            if (location.Kind == BlobStoreKind.FileSystem)
            {
                Verify(value, location.Folder);
                return 0;
            }

            using var logging = ConsoleReporting.CreateLoggerFactory();
            var logger = logging.CreateLogger("palette.shards");
            var store = location.Open(logger, RetryFor(parse.GetValue(verifyTimeout)), createContainer: false);
            // A fresh folder, not the data cache: what is checked must be the store's bytes, not an earlier local copy.
            var scratch = Path.Combine(Path.GetTempPath(), $"palette-verify-{Guid.NewGuid():N}");
            var bar = new ProgressBar(Console.Out, plainEvery: 50);
            try
            {
                await new ShardSetDownloader(store, logger).DownloadAsync(scratch,
                    new ConsoleReporting.Inline<ShardTransferProgress>(p => bar.Report("download MB", p.BytesDone >> 20, p.BytesTotal >> 20,
                        $"shard {p.ShardsDone}/{p.ShardsTotal}")), cancellationToken);
                bar.Finish();
                Verify(value, scratch);
                return 0;
            }
            finally
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
        });

        return new Command("shards", "Dataset shards for training and cluster workers") { build, verify };
    }

    private static Option<int> StoreTimeout() => new Option<int>("--store-timeout")
    {
        Description = "Seconds to keep retrying an unreachable blob store before giving up",
        DefaultValueFactory = _ => 120,
    }.InRange(0, 7 * 24 * 3600);

    /// <summary>Interactive commands give up sooner than workers (which wait out 30-minute outages).</summary>
    private static BlobRetryOptions RetryFor(int seconds) => new()
    {
        FirstDelay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(Math.Clamp(seconds / 4, 1, 30)),
        GiveUpAfter = TimeSpan.FromSeconds(seconds),
    };

    /// <summary>Hashes every shard and reads every record (each checks its own size and SHA-256).</summary>
    private static void Verify(string shown, string localFolder)
    {
        var reader = ShardReader.Open(localFolder, verifyShardHashes: true);
        long records = reader.ReadAll().LongCount();
        Console.WriteLine($"OK {shown}: {records} records in {reader.Manifest.Shards.Count} shard(s)");
    }

    private static void PrintReport(ShardBuildReport report)
    {
        if (report.UpToDate)
        {
            Console.WriteLine($"Up to date: {report.OutputFolder} (inputs unchanged; --force rebuilds)");
            return;
        }
        Console.WriteLine($"Wrote {report.RecordsWritten} records in {report.ShardCount} shard(s) to {report.OutputFolder}; " +
            $"skipped {report.SkippedCount}, flagged {report.FlaggedCount}" +
            (report.CountsByKind.Count == 0 ? "" : " (" + string.Join(", ", report.CountsByKind.Select(k => $"{k.Key}: {k.Value}")) + ")"));
        foreach (var issue in report.Issues.Take(20))
            Console.WriteLine($"  {(issue.Accepted ? "flagged" : "skipped")} {issue.Source}: {issue.Kind}: {issue.Reason}");
        if (report.Issues.Count > 20) Console.WriteLine($"  ... {report.Issues.Count - 20} more in report.json");
    }
}
