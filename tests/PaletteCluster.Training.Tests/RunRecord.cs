using System.Globalization;
using System.Security.Cryptography;
using PaletteCluster.Training.Callbacks;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Tests;

/// <summary>
/// A callback that writes down everything a run shows its callbacks, as comparable text: each event with its step,
/// and at the end every piece of trainer state (hashes of the tensors' bits, generator states, schedule, data).
/// Throughput is left out: it is wall-clock time.
/// </summary>
public sealed class RunRecord : TrainingCallback
{
    private readonly List<(long Step, string Line)> _steps = [];
    private readonly List<(long Step, string Line)> _progress = [];
    private readonly List<(long Step, string Line)> _checkpoints = [];

    /// <summary>StepEnd events: step, loss bits, learning rate, data position.</summary>
    public IEnumerable<string> StepsAfter(long step) => _steps.Where(e => e.Step > step).Select(e => e.Line);

    /// <summary>ProgressLogged events, in order.</summary>
    public IEnumerable<string> ProgressAfter(long step) => _progress.Where(e => e.Step > step).Select(e => e.Line);

    /// <summary>CheckpointSaved events by step (background writes end at steps that depend on timing, so order is not compared).</summary>
    public IEnumerable<string> CheckpointsAfter(long step) => _checkpoints.Where(e => e.Step > step).OrderBy(e => e.Step).Select(e => e.Line);

    /// <summary>The trainer's state when the run ended, one entry per piece.</summary>
    public IReadOnlyDictionary<string, string> FinalState => _final;
    private readonly Dictionary<string, string> _final = [];

    public override void ProgressLogged(TrainingState state, TrainingProgress progress) =>
        _progress.Add((progress.Step, Describe(progress)));

    public override void StepEnd(TrainingState state) =>
        _steps.Add((state.Step, Invariant($"step {state.Step} loss {Bits(state.Loss)} lr {Bits(state.LearningRate)} data {state.Position}")));

    public override void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint) =>
        _checkpoints.Add((checkpoint.Step, Invariant($"{Path.GetFileName(checkpoint.Directory)} step {checkpoint.Step} data {checkpoint.Position} ")
            + (checkpoint.Progress is { } p ? Describe(p) : "no progress")));

    public override void FitEnd(TrainingState state, TrainingRun.Result result)
    {
        var trainer = state.Trainer;
        _final["parameters"] = Hashes(trainer.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter));
        _final["EMA"] = Hashes(trainer.Ema.StateTensors());
        _final["Adam moments"] = Hashes(trainer.Optimizer.StateTensors());
        _final["Adam step"] = trainer.Optimizer.StepCount.ToString(CultureInfo.InvariantCulture);
        _final["learning-rate schedule"] = Invariant($"step {state.Step}: {Bits(state.LearningRate)}");
        _final["data position"] = state.Position.ToString();
        _final["noise generator"] = Hash(trainer.NoiseGenerator.get_state());
        _final["dropout generator"] = Hash(trainer.DropoutGenerator.get_state());
    }

    private static string Describe(TrainingProgress p) =>
        Invariant($"progress {p.Step}/{p.TotalSteps} loss {Bits(p.Loss)} lr {Bits(p.LearningRate)} data {p.Position}");

    private static string Bits(double value) => BitConverter.DoubleToInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Hashes(IReadOnlyDictionary<string, Tensor> tensors) =>
        string.Join("\n", tensors.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value.dtype} [{string.Join(",", t.Value.shape)}] {Sha(t.Value)}"));

    private static string Sha(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return Convert.ToHexStringLower(SHA256.HashData(cpu.bytes));
    }

    private static string Hash(Tensor state)
    {
        using (state) return Sha(state);
    }
}
