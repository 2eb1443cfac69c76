using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Training;

namespace PaletteCluster.Worker;

/// <summary>
/// Carries the trainer's progress to the job grain without ever blocking a training step: reports are queued on
/// the training thread and sent by a background task. A Stop answer from the job cancels <see cref="StopRequested"/>,
/// which the training loop observes at its next step (it then checkpoints and returns).
/// </summary>
public sealed class ClusterProgressReporter : IProgress<TrainingProgress>, IAsyncDisposable
{
    private readonly IJobGrain _job;
    private readonly ICoordinatorGrain _coordinator;
    private readonly ShardLeaseSet _leases;
    private readonly string _workerId;
    private readonly ILogger _logger;
    private readonly Channel<TrainingProgress> _queue = Channel.CreateUnbounded<TrainingProgress>(new() { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;

    public ClusterProgressReporter(IJobGrain job, ICoordinatorGrain coordinator, ShardLeaseSet leases, string workerId, ILogger logger)
    {
        (_job, _coordinator, _leases, _workerId, _logger) = (job, coordinator, leases, workerId, logger);
        _sender = Task.Run(SendLoop);
    }

    /// <summary>Cancelled when the job tells this worker to stop (paused, cancelled, or given to someone else).</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>The newest report sent, for heartbeats.</summary>
    public TrainingProgress? Latest { get; private set; }

    public void Report(TrainingProgress value)
    {
        Latest = value;
        _queue.Writer.TryWrite(value);
    }

    private async Task SendLoop()
    {
        await foreach (var p in _queue.Reader.ReadAllAsync())
        {
            try
            {
                long checkpointStep = p.CheckpointWritten is null ? 0 : p.Step;
                if (p.CheckpointWritten is not null)
                {
                    // Positions and the group's round first: the job's pointer then names a checkpoint whose data state is recorded.
                    await _leases.SavePosition(p.Position);
                    await GrainCallRetry.Default.Run(() => _coordinator.CommitRound(_workerId, p.Step, p.CheckpointWritten));
                }
                var directive = await GrainCallRetry.Default.Run(() => _job.ReportProgress(_workerId,
                    new ProgressReport(p.Step, p.Loss, p.LearningRate, p.ImagesPerSecond, p.CheckpointWritten, checkpointStep)));
                if (directive == WorkerDirective.Stop && !_stop.IsCancellationRequested)
                {
                    _logger.LogInformation("The job asked this worker to stop at step {Step}", p.Step);
                    _stop.Cancel();
                }
            }
            catch (Exception e) when (GrainCallRetry.IsTransient(e))
            {
                // Losing one report is harmless: the next one carries the newer state (and any later checkpoint).
                _logger.LogWarning("Progress report for step {Step} not delivered: {Error}", p.Step, e.Message);
            }
        }
    }

    /// <summary>Sends everything queued, then stops the sender.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sender;
        _stop.Dispose();
    }
}
