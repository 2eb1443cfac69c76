using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Multi-task training (Palette trains one model on mixed batches): each sample picks task i with probability
/// weight_i / sum(weights), using one uniform draw from the sample's rng, then lets that task draw the rest.
/// <para>
/// Every mixed sample carries a mask so batches are uniform: tasks without one get an all-ones mask (every pixel
/// is generated, so a mask-restricted loss equals the full-image loss). Hence <see cref="HasMask"/> is true.
/// As an <see cref="IImageTask"/> it plugs into the existing loader; <see cref="Make"/> also says which task ran.
/// </para>
/// </summary>
public sealed class TaskMix : IImageTask
{
    private readonly WeightedTask[] _tasks;
    private readonly double[] _cumulative;

    public TaskMix(IEnumerable<WeightedTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        _tasks = tasks.ToArray();
        if (_tasks.Length == 0) throw new ArgumentException("A task mix needs at least one task.", nameof(tasks));
        foreach (var t in _tasks)
        {
            ArgumentNullException.ThrowIfNull(t?.Task, nameof(tasks));
            if (!(t.Weight >= 0) || !double.IsFinite(t.Weight))
                throw new ArgumentOutOfRangeException(nameof(tasks), $"Weight of '{t.Task.Name}' must be finite and >= 0, got {t.Weight}.");
        }
        double total = _tasks.Sum(t => t.Weight);
        if (!(total > 0)) throw new ArgumentException("At least one weight must be positive.", nameof(tasks));
        _cumulative = new double[_tasks.Length];
        double acc = 0;
        for (int i = 0; i < _tasks.Length; i++) _cumulative[i] = (acc += _tasks[i].Weight) / total;
    }

    public TaskMix(params WeightedTask[] tasks) : this((IEnumerable<WeightedTask>)tasks) { }

    public IReadOnlyList<WeightedTask> Tasks => _tasks;
    public string Name => "mix(" + string.Join(",", _tasks.Select(t => t.Task.Name)) + ")";
    public bool HasMask => true;

    /// <summary>The task index for one uniform draw (zero-weight tasks are never picked).</summary>
    public int DrawTaskIndex(ref DeterministicRng rng)
    {
        double u = rng.NextDouble();
        for (int i = 0; i < _cumulative.Length; i++)
            if (u < _cumulative[i] && _tasks[i].Weight > 0) return i;
        return Array.FindLastIndex(_tasks, t => t.Weight > 0); // u within rounding of 1
    }

    public MixedSample Make(RgbImage image, int size, ref DeterministicRng rng)
    {
        int index = DrawTaskIndex(ref rng);
        var task = _tasks[index].Task;
        var sample = task.Make(image, size, ref rng);
        if (sample.Mask is null)
        {
            var ones = new float[size * size];
            Array.Fill(ones, 1f);
            sample = sample with { Mask = ones };
        }
        return new MixedSample(sample, index, task.Name);
    }

    TaskSample IImageTask.Make(RgbImage image, int size, ref DeterministicRng rng) => Make(image, size, ref rng).Sample;
}
