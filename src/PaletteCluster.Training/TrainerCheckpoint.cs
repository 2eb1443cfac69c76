using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Training;

/// <summary>
/// Maps a trainer's complete state (weights, EMA, Adam moments and step, noise and dropout generators, data
/// position) to a checkpoint and back, so a resumed run continues the same trajectory bit for bit.
/// </summary>
public static class TrainerCheckpoint
{
    private const string NoiseRng = "noise";
    private const string DropoutRng = "dropout";
    /// <summary>
    /// Written by checkpoints from before the dropout generator, when dropout drew from libtorch's process-wide
    /// CPU generator; read only to resume those.
    /// </summary>
    private const string LegacyGlobalCpuRng = "torch_cpu_global";

    /// <param name="copyInto">
    /// Where to copy the tensors so the content stays valid while training goes on (e.g. for a write on another
    /// thread); it stays valid until the next capture into the same snapshot. Without it the content holds the live
    /// tensors and must be written before the next step.
    /// </param>
    public static CheckpointContent Capture(PaletteTrainer trainer, DataPosition position, JsonObject? extraState = null, StateSnapshot? copyInto = null)
    {
        var state = new JsonObject
        {
            ["step"] = trainer.Step,
            ["adamStep"] = trainer.Optimizer.StepCount,
            ["learningRate"] = trainer.CurrentLearningRate,
        };
        if (extraState is not null)
            foreach (var (key, value) in extraState) state[key] = value?.DeepClone();

        return new CheckpointContent
        {
            Step = trainer.Step,
            TensorFiles = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>
            {
                [CheckpointFiles.Model] = Copy(copyInto, CheckpointFiles.Model, trainer.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter)),
                [CheckpointFiles.Ema] = Copy(copyInto, CheckpointFiles.Ema, trainer.Ema.StateTensors()),
                [CheckpointFiles.Optimizer] = Copy(copyInto, CheckpointFiles.Optimizer, trainer.Optimizer.StateTensors()),
            },
            Config = ConfigToJson(trainer.Config),
            State = state,
            RngStates = new Dictionary<string, byte[]>
            {
                [NoiseRng] = GeneratorBytes(trainer.NoiseGenerator.get_state()),
                [DropoutRng] = GeneratorBytes(trainer.DropoutGenerator.get_state()),
            },
            DataPosition = new JsonObject { ["epoch"] = position.Epoch, ["index"] = position.Index },
        };
    }

    /// <summary>Loads a verified checkpoint into a trainer built with the same config; returns the data position.</summary>
    public static DataPosition Restore(PaletteTrainer trainer, CheckpointReader checkpoint)
    {
        var where = $"checkpoint {checkpoint.Directory}";
        using (no_grad())
        {
            var model = checkpoint.LoadTensors(CheckpointFiles.Model);
            foreach (var (name, p) in trainer.Network.named_parameters())
            {
                if (!model.TryGetValue(name, out var t))
                    throw new CheckpointException($"{where}: {CheckpointFiles.Model} has no tensor '{name}' (different network?)");
                if (!t.shape.SequenceEqual(p.shape))
                    throw new CheckpointException($"{where}: tensor '{name}' has shape [{string.Join(",", t.shape)}], the network expects [{string.Join(",", p.shape)}]");
                p.copy_(t);
            }
            DisposeAll(model);
        }

        var ema = checkpoint.LoadTensors(CheckpointFiles.Ema);
        var optimizer = checkpoint.LoadTensors(CheckpointFiles.Optimizer);
        var state = checkpoint.Manifest.State;
        long adamStep = state["adamStep"]?.GetValue<long>() ?? throw new CheckpointException($"{where}: manifest state has no adamStep");
        try
        {
            trainer.Ema.LoadState(ema);
            trainer.Optimizer.LoadState(optimizer, adamStep);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointException($"{where}: {e.Message}");
        }
        DisposeAll(ema);
        DisposeAll(optimizer);

        using (var noise = StateTensor(checkpoint.GetRngState(NoiseRng))) trainer.NoiseGenerator.set_state(noise);
        RestoreDropoutGenerator(trainer, checkpoint);

        var pos = checkpoint.Manifest.DataPosition;
        return new DataPosition(pos["epoch"]?.GetValue<long>() ?? 0, pos["index"]?.GetValue<long>() ?? 0);
    }

    /// <summary>
    /// An older checkpoint holds the process-wide CPU generator instead, which its dropout drew from on the CPU: it
    /// becomes the dropout generator's state, so such a run continues as it would have. On CUDA that generator never
    /// fed dropout, and the freshly seeded dropout generator stays.
    /// </summary>
    private static void RestoreDropoutGenerator(PaletteTrainer trainer, CheckpointReader checkpoint)
    {
        var bytes = checkpoint.Manifest.GetRngState(DropoutRng);
        if (bytes is null && trainer.DropoutGenerator.device.type == DeviceType.CPU)
            bytes = checkpoint.Manifest.GetRngState(LegacyGlobalCpuRng);
        if (bytes is null) return;
        using var state = StateTensor(bytes);
        trainer.DropoutGenerator.set_state(state);
    }

    public static JsonObject ConfigToJson(TrainConfig config) =>
        JsonSerializer.SerializeToNode(config, CheckpointManifest.JsonOptions)!.AsObject();

    public static TrainConfig ConfigFromJson(JsonObject json, string where) =>
        json.Deserialize<TrainConfig>(CheckpointManifest.JsonOptions)
        ?? throw new CheckpointException($"{where}: manifest has no training config");

    private static IReadOnlyDictionary<string, Tensor> Copy(StateSnapshot? into, string file, Dictionary<string, Tensor> live) =>
        into is null ? live : into.Copy(file, live);

    private static byte[] GeneratorBytes(Tensor state)
    {
        using (state) return state.data<byte>().ToArray();
    }

    private static Tensor StateTensor(byte[] bytes) => tensor(bytes, dtype: ScalarType.Byte);

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }
}
