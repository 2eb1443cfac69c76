using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Storage;
using PaletteCluster.Training;
using PaletteCluster.Training.Callbacks;

namespace PaletteCluster.Worker;

/// <summary>
/// A training callback that carries the trainer's progress to the job grain without ever blocking a training step:
/// progress (every LogEvery steps) and complete checkpoints are queued on the training thread and sent by a
/// background task. A Stop answer from the job cancels <see cref="StopRequested"/>, which the training loop observes
/// at its next step (it then checkpoints and returns).
/// Checkpoints are handed to a <see cref="CheckpointCommitter"/> (publish to the store, then commit on the job) by a
/// second background task, newest first: when a checkpoint is written while the previous one is still uploading,
/// only the newest waiting one is committed (the queue holds at most one), so a slow store costs checkpoint
/// frequency, never memory. A store that stays unreachable past its retry limit cancels <see cref="StoreLost"/>.
/// </summary>
public sealed class ClusterProgressReporter : TrainingCallback, IAsyncDisposable
{
    private readonly IJobGrain _job;
    private readonly string _workerId;
    private readonly ILogger _logger;
    private readonly CheckpointCommitter _committer;
    private readonly Channel<TrainingProgress> _queue = Channel.CreateUnbounded<TrainingProgress>(new() { SingleReader = true });
    private readonly Channel<SavedCheckpoint> _toCommit;
    private readonly List<long> _droppedCheckpoints = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _storeLost = new();
    private readonly Lock _latestLock = new();
    private readonly Task _sender;
    private readonly Task _committing;

    public ClusterProgressReporter(IJobGrain job, string workerId, ILogger logger, CheckpointCommitter committer)
    {
        (_job, _workerId, _logger, _committer) = (job, workerId, logger, committer);
        _toCommit = Channel.CreateBounded<SavedCheckpoint>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => { lock (_droppedCheckpoints) _droppedCheckpoints.Add(dropped.Step); });
        _sender = Task.Run(SendLoop);
        _committing = Task.Run(CommitLoop);
    }

    /// <summary>Cancelled when the job tells this worker to stop (paused, cancelled, or given to someone else).</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>Cancelled when a checkpoint could not be published because the store stayed unreachable.</summary>
    public CancellationToken StoreLost => _storeLost.Token;

    /// <summary>Why <see cref="StoreLost"/> was cancelled.</summary>
    public string? StoreLostReason { get; private set; }

    /// <summary>The newest progress reported, for heartbeats (never moves back when a late checkpoint report arrives).</summary>
    public TrainingProgress? Latest
    {
        get { lock (_latestLock) return _latest; }
    }
    private TrainingProgress? _latest;

    public override void ProgressLogged(TrainingState state, TrainingProgress progress)
    {
        UpdateLatest(progress);
        _queue.Writer.TryWrite(progress);
    }

    /// <summary>
    /// A complete checkpoint with its step's progress (a stop's checkpoint has none: the worker commits it from the
    /// run's result). The job hears of it from the committer; the progress itself goes now.
    /// </summary>
    public override void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint)
    {
        if (checkpoint.Progress is not { } progress) return;
        UpdateLatest(progress);
        _toCommit.Writer.TryWrite(checkpoint);
        _queue.Writer.TryWrite(progress);
    }

    private void UpdateLatest(TrainingProgress value)
    {
        lock (_latestLock)
            if (_latest is null || value.Step >= _latest.Step) _latest = value;
    }

    private async Task CommitLoop()
    {
        await foreach (var checkpoint in _toCommit.Reader.ReadAllAsync())
        {
            lock (_droppedCheckpoints)
            {
                if (_droppedCheckpoints.Count > 0)
                    _logger.LogWarning("Checkpoint step(s) {Steps} not published: a newer one was written while the store was busy (they stay on local disk)",
                        string.Join(", ", _droppedCheckpoints));
                _droppedCheckpoints.Clear();
            }
            if (_storeLost.IsCancellationRequested) continue; // drain: the worker republishes its newest after the outage
            try
            {
                await _committer.CommitAsync(checkpoint.Directory, checkpoint.Step);
            }
            catch (BlobStoreUnavailableException e)
            {
                StoreLostReason = e.Message;
                _logger.LogError("Checkpoint store unreachable: checkpoint step {Step} not published ({Error}); stopping training until it is back",
                    checkpoint.Step, e.Message);
                _storeLost.Cancel();
            }
        }
    }

    private async Task SendLoop()
    {
        await foreach (var p in _queue.Reader.ReadAllAsync())
        {
            try
            {
                // A checkpoint's progress may be reported after later steps (written in the background): the job's
                // step stays the newest known.
                var now = Latest ?? p;
                var directive = await GrainCallRetry.Default.Run(() => _job.ReportProgress(_workerId,
                    new ProgressReport(Math.Max(now.Step, p.Step), now.Loss, now.LearningRate, now.ImagesPerSecond)));
                if (directive == WorkerDirective.Stop && !_stop.IsCancellationRequested)
                {
                    _logger.LogInformation("The job asked this worker to stop at step {Step}", p.Step);
                    _stop.Cancel();
                }
            }
            catch (Exception e) when (GrainCallRetry.IsTransient(e))
            {
                // Losing one report is harmless: the next one carries the newer state.
                _logger.LogWarning("Progress report for step {Step} not delivered: {Error}", p.Step, e.Message);
            }
        }
    }

    /// <summary>Commits what is waiting (unless the store was lost), sends everything queued, then stops both tasks.</summary>
    public async ValueTask DisposeAsync()
    {
        _toCommit.Writer.TryComplete();
        await _committing;
        _queue.Writer.TryComplete();
        await _sender;
        // The token sources stay undisposed: callers read StopRequested/StoreLost after the reporter is done.
    }
}
