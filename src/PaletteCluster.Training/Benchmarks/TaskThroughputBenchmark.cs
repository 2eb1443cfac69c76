using System.Diagnostics;
using PaletteCluster.Data;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;

namespace PaletteCluster.Training.Benchmarks;

/// <summary>How fast one core turns decoded images into (condition, target, mask) samples, per task.</summary>
public static class TaskThroughputBenchmark
{
    public sealed record Result(string Task, double SamplesPerSecond);

    public static IEnumerable<Result> Run(IReadOnlyList<RgbImage> images, int size, TimeSpan perTask)
    {
        foreach (var name in TaskCatalog.Names)
        {
            var task = TaskCatalog.Create(name);
            var rng = new DeterministicRng(1);
            task.Make(images[0], size, ref rng); // warm-up (JIT, codec set-up)
            long count = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < perTask)
                task.Make(images[(int)(count++ % images.Count)], size, ref rng);
            yield return new Result(name, count / clock.Elapsed.TotalSeconds);
        }
    }
}
