using System.Diagnostics;
using PaletteCluster.Data;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Callbacks;

/// <summary>
/// What callbacks see of a run: the trainer and its position. The loss is read from the device only when a
/// callback asks for it, once per step, so steps nobody looks at cost no host sync.
/// </summary>
public sealed class TrainingState
{
    private readonly Stopwatch _sinceThroughput = Stopwatch.StartNew();
    private long _imagesSinceThroughput;
    private Tensor? _stepLoss;
    private double? _loss;
    private double? _imagesPerSecond;

    internal TrainingState(PaletteTrainer trainer, long totalSteps, IImageSource data, DataPosition position, TrainingCallback events)
    {
        (Trainer, TotalSteps, Data, Position, Events) = (trainer, totalSteps, data, position, events);
        FirstStep = trainer.Step;
    }

    public PaletteTrainer Trainer { get; }
    public TrainConfig Config => Trainer.Config;
    public IImageSource Data { get; }

    /// <summary>Completed optimizer steps, across resumes.</summary>
    public long Step => Trainer.Step;
    public long TotalSteps { get; }

    /// <summary>The step this run started at (the checkpoint's step after a resume).</summary>
    public long FirstStep { get; }
    public long StepsRun => Step - FirstStep;

    /// <summary>The learning rate of the next update (the schedule's position follows Adam's step).</summary>
    public double LearningRate => Trainer.CurrentLearningRate;

    /// <summary>The data position after the last batch trained on: where a resumed run continues.</summary>
    public DataPosition Position { get; private set; }

    /// <summary>True once the loop ended before the total step count (cancelled).</summary>
    public bool Stopped { get; private set; }

    /// <summary>Every callback of the run, for a callback that raises an event (the checkpointer's CheckpointSaved).</summary>
    internal TrainingCallback Events { get; }

    /// <summary>
    /// The last step's loss, read from the device on first use within that step. A non-finite loss ends the run
    /// here, so nothing that reads it (a checkpoint, a report) ever records a diverged model.
    /// </summary>
    public double Loss => _loss ??= ReadLoss();

    /// <summary>Images trained per second since the previous step whose throughput was taken.</summary>
    public double ImagesPerSecond => _imagesPerSecond ??= TakeThroughput();

    /// <summary>This step's progress (reads the loss).</summary>
    public TrainingProgress Progress() => new(Step, TotalSteps, Loss, LearningRate, ImagesPerSecond, Position);

    /// <summary>A step was taken: its loss stays readable until <see cref="StepOver"/>.</summary>
    internal void StepTaken(Tensor loss, DataPosition position, int images)
    {
        (_stepLoss, _loss, _imagesPerSecond, Position) = (loss, null, null, position);
        _imagesSinceThroughput += images;
    }

    internal void StepOver() => _stepLoss = null; // the loop disposes the tensor

    internal void LoopOver() => Stopped = Step < TotalSteps;

    private double ReadLoss()
    {
        var loss = _stepLoss ?? throw new InvalidOperationException("the loss is readable only during its step's events");
        double value = loss.item<float>();
        if (!double.IsFinite(value))
            throw new InvalidDataException($"training diverged: loss is {value} at step {Step}; lower --lr or enable --grad-clip (checkpoints so far are kept)");
        return value;
    }

    private double TakeThroughput()
    {
        double rate = _imagesSinceThroughput / _sinceThroughput.Elapsed.TotalSeconds;
        _imagesSinceThroughput = 0;
        _sinceThroughput.Restart();
        return rate;
    }
}
