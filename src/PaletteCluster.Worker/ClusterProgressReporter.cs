using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Storage;
using PaletteCluster.Training;

namespace PaletteCluster.Worker;

/// <summary>
/// Carries the trainer's progress to the job grain without ever blocking a training step: reports are queued on
/// the training thread and sent by a background task. A Stop answer from the job cancels <see cref="StopRequested"/>,
/// which the training loop observes at its next step (it then checkpoints and returns).
/// With a checkpoint store, each checkpoint is published from here (training never waits for the upload) and
/// the job is told a store reference only once the upload is complete.
/// </summary>
public sealed class ClusterProgressReporter : IProgress<TrainingProgress>, IAsyncDisposable
{
    private readonly IJobGrain _job;
    private readonly ICoordinatorGrain _coordinator;
    private readonly ShardLeaseSet _leases;
    private readonly string _workerId;
    private readonly ILogger _logger;
    private readonly CheckpointStore? _store;
    private readonly string _jobId;
    private readonly Channel<TrainingProgress> _queue = Channel.CreateUnbounded<TrainingProgress>(new() { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;

    public ClusterProgressReporter(IJobGrain job, ICoordinatorGrain coordinator, ShardLeaseSet leases, string workerId, ILogger logger,
        CheckpointStore? store = null, string jobId = "")
    {
        (_job, _coordinator, _leases, _workerId, _logger, _store, _jobId) = (job, coordinator, leases, workerId, logger, store, jobId);
        _sender = Task.Run(SendLoop);
    }

    /// <summary>Cancelled when the job tells this worker to stop (paused, cancelled, or given to someone else).</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>The newest report sent, for heartbeats.</summary>
    public TrainingProgress? Latest { get; private set; }

    /// <summary>The newest checkpoint published to the store (pointer and step); null if none was.</summary>
    public (string Pointer, long Step)? LastPublished { get; private set; }

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
                var pointer = p.CheckpointWritten;
                if (pointer is not null && _store is not null)
                    pointer = await Publish(p.CheckpointWritten!, p.Step); // null if it failed: the job keeps its older pointer
                long checkpointStep = pointer is null ? 0 : p.Step;
                if (pointer is not null)
                {
                    // Positions and the group's round first: the job's pointer then names a checkpoint whose data state is recorded.
                    await _leases.SavePosition(p.Position);
                    await GrainCallRetry.Default.Run(() => _coordinator.CommitRound(_workerId, p.Step, pointer));
                }
                var directive = await GrainCallRetry.Default.Run(() => _job.ReportProgress(_workerId,
                    new ProgressReport(p.Step, p.Loss, p.LearningRate, p.ImagesPerSecond, pointer, checkpointStep)));
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

    /// <summary>
    /// Uploads a local checkpoint (then retention) and returns its store reference, or null when it could not be
    /// published; the upload time is what a synchronous upload would have stalled training by.
    /// </summary>
    public async Task<string?> Publish(string localCheckpoint, long step)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var published = await _store!.PublishAsync(localCheckpoint, step);
            _logger.LogInformation("Checkpoint step {Step} published to the store in {Seconds:F3} s ({Bytes} bytes, {Files} files{Note})",
                step, clock.Elapsed.TotalSeconds, published.BytesUploaded, published.FilesUploaded, published.AlreadyPublished ? ", already there" : "");
            var pointer = StoreCheckpointRef.Format(_jobId, step);
            if (LastPublished is not { } last || last.Step < step) LastPublished = (pointer, step);
            return pointer;
        }
        catch (Exception e) when (e is BlobStoreException or IOException or InvalidDataException or InvalidOperationException)
        {
            // Not fatal: the job still names the previous published checkpoint; the next checkpoint is tried anew.
            _logger.LogError("Checkpoint step {Step} could not be published after {Seconds:F1} s: {Error}", step, clock.Elapsed.TotalSeconds, e.Message);
            return null;
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
