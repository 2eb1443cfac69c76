using Microsoft.Extensions.Logging;
using PaletteCluster.Data;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Sampling;

/// <summary>
/// The picture a run leaves at the end: for every task of its mix, a few of the data's first images as rows of
/// condition | sample | target. Inputs come from the task generators with a fixed seed, so the same checkpoint
/// always gives the same grid, and every task the model learned is shown, not only colorization.
/// </summary>
public static class TaskSampleGrid
{
    public static void Write(ImageSampler model, IImageSource source, string taskSpec, int perTask, string gridPath,
        SamplingOptions options, ILogger logger)
    {
        int size = model.Config.ImageSize;
        var images = new List<RgbImage>();
        for (int i = 0; i < source.Count && images.Count < perTask; i++)
        {
            try { images.Add(source.Load(i)); }
            catch (ImageDecodeException e) { logger.LogWarning("Sample grid skips {Path}: {Reason}", e.Path, e.Reason); }
        }
        if (images.Count == 0) throw new InvalidDataException($"sample grid: none of the images under '{source.Root}' could be read");

        var sampler = options.CreateSampler();
        using var generator = new Generator((ulong)options.Seed, model.Device);
        var rows = new List<IReadOnlyList<Tensor>>();
        var tasks = TaskCatalog.Parse(taskSpec);
        for (int t = 0; t < tasks.Count; t++)
        {
            var task = tasks[t].Task;
            using var scope = NewDisposeScope();
            var pairs = images.Select((image, j) =>
            {
                var rng = DeterministicRng.Derive((ulong)options.Seed, (ulong)t, (ulong)j);
                return task.Make(image, size, ref rng);
            }).ToList();
            var condition = stack(pairs.Select(p => tensor(p.Condition).reshape(3, size, size)).ToArray());
            var target = stack(pairs.Select(p => tensor(p.Target).reshape(3, size, size)).ToArray());
            var mask = task.HasMask ? stack(pairs.Select(p => tensor(p.Mask!).reshape(1, size, size)).ToArray()) : null;
            var samples = model.Sample(condition, mask, mask is null ? null : target, sampler, generator);
            for (int j = 0; j < pairs.Count; j++)
                rows.Add([condition[j].DetachFromDisposeScope(), samples[j].DetachFromDisposeScope(), target[j].DetachFromDisposeScope()]);
            logger.LogInformation("Sampled {Count} {Task} image(s) for the grid", pairs.Count, task.Name);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(gridPath))!);
        ImageGrid.Save(rows, gridPath);
        foreach (var row in rows) foreach (var t in row) t.Dispose();
    }
}
