using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using static TorchSharp.torch;

namespace PaletteCluster.Training;

/// <summary>
/// Maps a trainer's complete state (weights, EMA, Adam moments and step, noise and dropout generators, data
/// position) to a checkpoint and back, so a resumed run continues the same trajectory bit for bit.
/// </summary>
public static class TrainerCheckpoint
{
    private const string NoiseRng = "noise";
    private const string GlobalCpuRng = "torch_cpu_global";

    /// <param name="copyTensors">
    /// Clone every tensor (detached, on its own device) so the content stays valid while training goes on, e.g. for
    /// a write on another thread; the caller then owns the copies (<see cref="DisposeTensors"/>). Without it the
    /// content holds the live tensors and must be written before the next step.
    /// </param>
    public static CheckpointContent Capture(PaletteTrainer trainer, DataPosition position, JsonObject? extraState = null, bool copyTensors = false)
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
                [CheckpointFiles.Model] = Snapshot(trainer.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter), copyTensors),
                [CheckpointFiles.Ema] = Snapshot(trainer.Ema.StateTensors(), copyTensors),
                [CheckpointFiles.Optimizer] = Snapshot(trainer.Optimizer.StateTensors(), copyTensors),
            },
            Config = ConfigToJson(trainer.Config),
            State = state,
            RngStates = new Dictionary<string, byte[]>
            {
                [NoiseRng] = GeneratorBytes(trainer.NoiseGenerator.get_state()),
                [GlobalCpuRng] = GeneratorBytes(get_rng_state()),
            },
            DataPosition = new JsonObject { ["epoch"] = position.Epoch, ["index"] = position.Index },
        };
    }

    /// <summary>Disposes the tensors of a content captured with copyTensors (never call it on live tensors).</summary>
    public static void DisposeTensors(CheckpointContent content)
    {
        foreach (var file in content.TensorFiles.Values)
            foreach (var t in file.Values) t.Dispose();
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
        using (var global = StateTensor(checkpoint.GetRngState(GlobalCpuRng))) set_rng_state(global);

        var pos = checkpoint.Manifest.DataPosition;
        return new DataPosition(pos["epoch"]?.GetValue<long>() ?? 0, pos["index"]?.GetValue<long>() ?? 0);
    }

    public static JsonObject ConfigToJson(TrainConfig config) =>
        JsonSerializer.SerializeToNode(config, CheckpointManifest.JsonOptions)!.AsObject();

    public static TrainConfig ConfigFromJson(JsonObject json, string where) =>
        json.Deserialize<TrainConfig>(CheckpointManifest.JsonOptions)
        ?? throw new CheckpointException($"{where}: manifest has no training config");

    private static Dictionary<string, Tensor> Snapshot(Dictionary<string, Tensor> live, bool copy)
    {
        if (!copy || live.Count == 0) return copy ? [] : live;
        var first = live.Values.First();
        if (live.Values.Any(t => t.dtype != first.dtype || t.device_type != first.device_type || t.device_index != first.device_index))
            return CopyEach(live);

        // One copy for the whole file instead of one per tensor: hundreds of small clones cost far more than the bytes
        // they move (on the CPU each wakes libtorch's thread pool, on a GPU each is a launch). The copies are views
        // into that one buffer, which lives as long as any of them.
        using var scope = NewDisposeScope();
        var buffer = cat(live.Values.Select(t => t.detach().reshape(-1)).ToArray(), 0);
        var copies = new Dictionary<string, Tensor>(live.Count);
        long offset = 0;
        foreach (var (name, t) in live)
        {
            long count = t.numel();
            copies[name] = buffer.narrow(0, offset, count).view(t.shape).DetachFromDisposeScope();
            offset += count;
        }
        return copies;
    }

    private static Dictionary<string, Tensor> CopyEach(Dictionary<string, Tensor> live)
    {
        var copies = new Dictionary<string, Tensor>(live.Count);
        foreach (var (name, t) in live)
        {
            using var detached = t.detach();
            // Out of any dispose scope of this thread: the copy lives until the writer is done with it.
            copies[name] = detached.clone().DetachFromDisposeScope();
        }
        return copies;
    }

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
