using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaletteCluster.Abstractions;
using PaletteCluster.Api.Specs;
using PaletteCluster.Api.V1;
using PaletteCluster.Recipes;
using JobSpec = PaletteCluster.Abstractions.JobSpec;

namespace PaletteCluster.Api.Service;

/// <summary>
/// The gRPC job API over the cluster's grains. Specs are read and validated before anything is created; grain
/// errors map to status codes: unknown job → NotFound, a move the job's state forbids → FailedPrecondition, a cluster
/// that does not answer (after <see cref="GrainCallPolicy"/>'s retries) → Unavailable.
/// </summary>
public sealed class JobApiService(
    IGrainFactory grains,
    IEnumerable<IJobSpecValidator> validators,
    GrainCallPolicy policy,
    IOptions<JobApiOptions> options,
    ILogger<JobApiService> logger) : JobService.JobServiceBase
{
    private IClusterDirectoryGrain Directory => grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    public override async Task<Job> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        var source = string.IsNullOrWhiteSpace(request.SourceName) ? "spec" : request.SourceName;
        var spec = ReadAndValidate(request, source);
        var ct = context.CancellationToken;

        string id;
        if (request.JobId.Length > 0)
        {
            id = request.JobId;
            if (JobIds.Problem(id) is { } problem) throw Invalid(problem);
            if (await Status(id, ct) is not null) throw AlreadyExists(id);
        }
        else
        {
            // Six random hex digits make a clash unlikely; checking makes it impossible to reuse a live id.
            id = JobIds.FromName(spec.Name);
            for (int tries = 1; await Status(id, ct) is not null; tries++)
            {
                if (tries == 5) throw AlreadyExists(id);
                id = JobIds.FromName(spec.Name);
            }
        }

        var job = grains.GetGrain<IJobGrain>(id);
        JobStatus created;
        try
        {
            created = await policy.Run($"create job {id}", () => job.Create(spec), ct);
        }
        catch (InvalidOperationException) when (request.JobId.Length > 0)
        {
            // Another submit with the same id won the race since the check above.
            if (await Status(id, ct) is not null) throw AlreadyExists(id);
            throw;
        }
        // Created before it is listed, so every listed job exists.
        await policy.Run($"list job {id}", () => Directory.AddJob(id), ct);
        logger.LogInformation("Job {JobId} submitted: {Name}, {Steps} steps on {Data}", id, spec.Name, spec.Recipe.Steps, spec.Data);
        return created.ToMessage();
    }

    public override async Task<Job> GetJob(JobRequest request, ServerCallContext context)
    {
        var id = RequireId(request.JobId);
        return (await Status(id, context.CancellationToken) ?? throw NotFound(id)).ToMessage();
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var ids = await policy.Run("list jobs", () => Directory.ListJobs(), ct);
        var statuses = await Task.WhenAll(ids.Select(id => Status(id, ct)));
        var response = new ListJobsResponse();
        response.Jobs.AddRange(statuses.OfType<JobStatus>().OrderBy(s => s.CreatedAt).Select(s => s.ToMessage()));
        return response;
    }

    public override Task<Job> PauseJob(JobRequest request, ServerCallContext context) =>
        Steer(request, "pause", job => job.Pause(), context);

    public override Task<Job> ResumeJob(JobRequest request, ServerCallContext context) =>
        Steer(request, "resume", job => job.Resume(), context);

    public override Task<Job> CancelJob(JobRequest request, ServerCallContext context) =>
        Steer(request, "cancel", job => job.Cancel(), context);

    public override async Task WatchJob(JobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var id = RequireId(request.JobId);
        var ct = context.CancellationToken;
        long sentVersion = -1;
        try
        {
            while (true)
            {
                var status = await Status(id, ct) ?? throw NotFound(id);
                if (status.Version != sentVersion)
                {
                    bool final = status.State.IsFinal();
                    await responseStream.WriteAsync(new JobEvent { Job = status.ToMessage(), Final = final }, ct);
                    sentVersion = status.Version;
                    if (final) return;
                }
                await Task.Delay(options.Value.WatchPollInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogDebug("Watcher of job {JobId} left", id);
        }
    }

    public override async Task<JobMetrics> GetJobMetrics(GetJobMetricsRequest request, ServerCallContext context)
    {
        var id = RequireId(request.JobId);
        var ct = context.CancellationToken;
        if (await Status(id, ct) is null) throw NotFound(id);
        long after = request.HasAfterStep ? request.AfterStep : -1;
        var points = await policy.Run($"metrics of {id}", () => grains.GetGrain<IDashboardGrain>(id).GetSeries(after), ct);
        var metrics = new JobMetrics { JobId = id };
        metrics.Points.AddRange(points.Select(p => p.ToMessage()));
        return metrics;
    }

    public override async Task<ListWorkersResponse> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var ids = await policy.Run("list workers", () => Directory.ListWorkers(), ct);
        var infos = await Task.WhenAll(ids.Select(id =>
            policy.Run($"worker {id}", () => grains.GetGrain<IWorkerGrain>(id).GetInfo(), ct)));
        var response = new ListWorkersResponse();
        response.Workers.AddRange(ids.Zip(infos, (id, info) => info.ToMessage(id)));
        return response;
    }

    private async Task<Job> Steer(JobRequest request, string action, Func<IJobGrain, Task<JobStatus>> move, ServerCallContext context)
    {
        var id = RequireId(request.JobId);
        var ct = context.CancellationToken;
        if (await Status(id, ct) is null) throw NotFound(id);
        try
        {
            var status = await policy.Run($"{action} {id}", () => move(grains.GetGrain<IJobGrain>(id)), ct);
            logger.LogInformation("Job {JobId}: {Action} → {State}", id, action, status.State);
            return status.ToMessage();
        }
        catch (InvalidJobTransitionException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    /// <summary>
    /// The job of a submit request, read once here (from spec text, or from the JobSpec message) and checked by the
    /// recipe's rules and then by the registered validators (data folder); workers get it as it is.
    /// </summary>
    private JobSpec ReadAndValidate(SubmitJobRequest request, string source)
    {
        JobSpec spec;
        if (request.Spec is { } fields)
        {
            if (request.SpecText.Length > 0) throw Invalid("give the job as spec_text or as spec, not both");
            var problems = new List<RecipeProblem>();
            spec = fields.FromMessage(problems);
            problems.AddRange(spec.Validate().Where(p => problems.All(known => known.Field != p.Field)));
            if (problems.Count > 0) throw Invalid(new JobSpecException(source, problems.Select(p => p.ToString()).ToList()).Message);
        }
        else
        {
            try
            {
                spec = JobSpecReader.Read(request.SpecText, source, JobSpecReader.ParseFormatHint(request.Format),
                    request.SpecFolder.Length > 0 ? request.SpecFolder : null);
            }
            catch (Exception e) when (e is JobSpecException or ArgumentException)
            {
                throw Invalid(e.Message);
            }
        }
        var dataProblems = validators.SelectMany(v => v.Validate(spec)).ToList();
        if (dataProblems.Count > 0) throw Invalid(new JobSpecException(source, dataProblems).Message);
        return spec;
    }

    private Task<JobStatus?> Status(string id, CancellationToken ct) =>
        policy.Run($"status of {id}", () => grains.GetGrain<IJobGrain>(id).GetStatus(), ct);

    private static string RequireId(string id) => id.Length > 0 ? id : throw Invalid("job id is empty");

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static RpcException NotFound(string id) => new(new Status(StatusCode.NotFound, $"no job '{id}'"));

    private static RpcException AlreadyExists(string id) =>
        new(new Status(StatusCode.AlreadyExists, $"a job '{id}' already exists; choose another id"));
}
