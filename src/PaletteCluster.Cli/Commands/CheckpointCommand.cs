using System.CommandLine;
using PaletteCluster.Checkpoints;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette checkpoint verify|list</c>: check hashes before trusting a checkpoint, see what a run has.</summary>
public static class CheckpointCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("dir") { Description = "Checkpoint folder (contains manifest.json)" };
        var verify = new Command("verify", "Verify every file of a checkpoint against the SHA-256 in its manifest") { dir };
        verify.SetAction(parse =>
        {
            var reader = CheckpointReader.Open(parse.GetValue(dir)!.FullName);
            var m = reader.Manifest;
            Console.WriteLine($"OK {reader.Directory}: step {m.Step}, {m.Files.Count} files, {m.Files.Values.Sum(f => f.Bytes) / 1e6:F1} MB, created {m.CreatedUtc:u}");
            return 0;
        });

        var run = new Argument<DirectoryInfo>("run") { Description = "Run folder (contains checkpoints/)" };
        var list = new Command("list", "List a run's checkpoints (hashes not verified)") { run };
        list.SetAction(parse =>
        {
            var found = CheckpointReader.List(Path.Combine(parse.GetValue(run)!.FullName, "checkpoints"));
            if (found.Count == 0) Console.WriteLine("no checkpoints");
            foreach (var c in found) Console.WriteLine($"step {c.Step,10}  {c.Directory}");
            return 0;
        });

        return new Command("checkpoint", "Inspect checkpoints") { verify, list };
    }
}
