using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaletteCluster.Data.Shards;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette shards build|verify</c>: image folders to WebDataset-style tar shards (docs/shard-format.md).</summary>
public static class ShardsCommand
{
    public static Command Create()
    {
        var inputs = new Option<FileSystemInfo[]>("--input")
        {
            Description = "Image folder (searched recursively) or list file (one path per line, # comments); repeatable",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<DirectoryInfo>("--output") { Description = "Folder for shard-*.tar, manifest.json and report.json", Required = true };
        var shardMb = new Option<long>("--shard-size-mb") { Description = "Target shard size in MiB", DefaultValueFactory = _ => ShardBuildOptions.DefaultTargetShardBytes >> 20 }.InRange(1, 1L << 20);
        var maxMp = new Option<double>("--max-megapixels") { Description = "Skip images larger than this (checked from the header)", DefaultValueFactory = _ => ShardBuildOptions.DefaultMaxPixels / 1e6 };
        var force = new Option<bool>("--force") { Description = "Rebuild even when the inputs look unchanged" };
        var build = new Command("build", "Ingest JPEG/PNG images into shards; bad files are skipped, counted and listed in report.json")
        {
            inputs, output, shardMb, maxMp, force,
        };
        build.SetAction(parse =>
        {
            var given = parse.GetValue(inputs)!;
            var missing = given.FirstOrDefault(i => !File.Exists(i.FullName) && !Directory.Exists(i.FullName));
            if (missing is not null) throw new FileNotFoundException($"input: '{missing.FullName}' is neither a folder nor a list file");
            if (!(parse.GetValue(maxMp) > 0)) throw new ArgumentException("--max-megapixels must be positive");

            using var logging = ConsoleReporting.CreateLoggerFactory();
            var bar = new ProgressBar(Console.Out, plainEvery: 500);
            var report = ShardBuilder.Build(new ShardBuildOptions
            {
                InputFolders = given.Where(i => Directory.Exists(i.FullName)).Select(i => i.FullName).ToList(),
                ListFiles = given.Where(i => File.Exists(i.FullName)).Select(i => i.FullName).ToList(),
                OutputFolder = parse.GetValue(output)!.FullName,
                TargetShardBytes = parse.GetValue(shardMb) << 20,
                MaxPixels = (long)(parse.GetValue(maxMp) * 1e6),
                Force = parse.GetValue(force),
                Logger = logging.CreateLogger("palette.shards"),
                Progress = new ConsoleReporting.Inline<ShardBuildProgress>(p =>
                    bar.Report("files", p.FilesDone, p.FilesTotal, $"{p.BytesDone / 1e6:F1}/{p.BytesTotal / 1e6:F1} MB")),
            });
            bar.Finish();
            if (report.UpToDate)
            {
                Console.WriteLine($"Up to date: {report.OutputFolder} (inputs unchanged; --force rebuilds)");
                return 0;
            }
            Console.WriteLine($"Wrote {report.RecordsWritten} records in {report.ShardCount} shard(s) to {report.OutputFolder}; " +
                $"skipped {report.SkippedCount}, flagged {report.FlaggedCount}" +
                (report.CountsByKind.Count == 0 ? "" : " (" + string.Join(", ", report.CountsByKind.Select(k => $"{k.Key}: {k.Value}")) + ")"));
            foreach (var issue in report.Issues.Take(20))
                Console.WriteLine($"  {(issue.Accepted ? "flagged" : "skipped")} {issue.Source}: {issue.Kind}: {issue.Reason}");
            if (report.Issues.Count > 20) Console.WriteLine($"  ... {report.Issues.Count - 20} more in report.json");
            return 0;
        });

        var folder = new Argument<DirectoryInfo>("folder") { Description = "A shard folder (contains manifest.json)" };
        var verify = new Command("verify", "Check every shard's SHA-256 and every record against the manifest") { folder };
        verify.SetAction(parse =>
        {
            var reader = ShardReader.Open(parse.GetValue(folder)!.FullName, verifyShardHashes: true);
            long records = reader.ReadAll().LongCount();
            Console.WriteLine($"OK {parse.GetValue(folder)!.FullName}: {records} records in {reader.Manifest.Shards.Count} shard(s)");
            return 0;
        });

        return new Command("shards", "Dataset shards for training and cluster workers") { build, verify };
    }
}
