using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;

namespace PaletteCluster.Training.Tests;

/// <summary>What a finished run left behind: its folder, its result, and what its callbacks saw.</summary>
public sealed record RunOutcome(string RunDir, TrainingRun.Result Result, RunRecord Record);

/// <summary>
/// One piece of a run's state, read as comparable text. A run stopped at step k and resumed must give each probe the
/// same value as an uninterrupted run; <paramref name="Read"/> gets k for the pieces that differ by design up to k
/// (events before the stop, the stop's own checkpoint). New kinds of state (averaged replicas, transferred shards)
/// join by adding probes to <see cref="StateProbes.All"/>.
/// </summary>
public sealed record StateProbe(string Name, Func<RunOutcome, long, string> Read)
{
    public override string ToString() => Name;
}

public static class StateProbes
{
    public static IReadOnlyList<StateProbe> All { get; } =
    [
        .. new[] { "parameters", "EMA", "Adam moments", "Adam step", "learning-rate schedule", "data position", "noise generator", "dropout generator" }
            .Select(piece => new StateProbe(piece, (run, _) => run.Record.FinalState[piece])),
        new("StepEnd events after k", (run, k) => Lines(run.Record.StepsAfter(k))),
        new("ProgressLogged events after k", (run, k) => Lines(run.Record.ProgressAfter(k))),
        new("CheckpointSaved events after k", (run, k) => Lines(run.Record.CheckpointsAfter(k))),
        new("checkpoint manifests after k, without their time", (run, k) => Lines(ManifestsAfter(run.RunDir, k))),
        new("result", (run, _) => $"step {run.Result.Step} cancelled {run.Result.Cancelled} skipped {run.Result.SkippedImages} " +
            $"checkpoint {Path.GetFileName(run.Result.LastCheckpoint)} grid {Path.GetFileName(run.Result.SampleGrid)}"),
        new("sample grid bytes", (run, _) => run.Result.SampleGrid is { } grid ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(grid))) : "none"),
    ];

    private static IEnumerable<string> ManifestsAfter(string runDir, long k) =>
        Directory.GetDirectories(Path.Combine(runDir, "checkpoints"))
            .Select(dir => (Dir: dir, Manifest: JsonNode.Parse(File.ReadAllText(Path.Combine(dir, CheckpointFiles.Manifest)))!.AsObject()))
            .Where(c => c.Manifest["step"]!.GetValue<long>() > k)
            .OrderBy(c => c.Manifest["step"]!.GetValue<long>())
            .Select(c =>
            {
                c.Manifest.Remove("createdUtc");
                return $"{Path.GetFileName(c.Dir)}: {c.Manifest.ToJsonString()}";
            });

    private static string Lines(IEnumerable<string> lines) => string.Join("\n", lines);
}
