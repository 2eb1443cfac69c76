using PaletteCluster.Abstractions;
using PaletteCluster.Training;

namespace PaletteCluster.Worker;

/// <summary>
/// An assignment's recipe as the trainer takes it. No checks here: the API validated the recipe when the job was
/// submitted (<see cref="JobSpec.Validate"/>), and the trainer holds it to the same rules.
/// </summary>
public static class JobSpecMapping
{
    public static TrainConfig ToTrainConfig(JobSpec spec) => TrainConfig.From(spec.Recipe);

    public static TrainingRunOptions ToRunOptions(Assignment assignment, WorkerOptions worker) =>
        TrainingRunOptions.For(assignment.Spec.Recipe, assignment.Spec.Data, worker.JobFolder(assignment.JobId)) with
        {
            // A job always continues: from the checkpoint the job grain names, else from its folder's latest.
            Resume = true,
            ResumeFrom = assignment.Checkpoint,
            SynchronousCheckpoints = worker.SynchronousCheckpoints,
            PrefetchDepth = worker.PrefetchDepth,
        };
}
