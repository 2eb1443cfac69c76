using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using PaletteCluster.Api.V1;
using PaletteCluster.Api.Specs;

namespace PaletteCluster.Api.Client;

/// <summary>
/// The CLI's view of the job API: one method per call, and failures as <see cref="JobApiException"/>s whose message
/// is one line a user can act on (the server unreachable, an unknown job, a spec's problems as the server listed them).
/// </summary>
public sealed class JobApiClient : IDisposable
{
    public const string AddressVariable = "PALETTE_API";
    public const string DefaultAddress = "http://127.0.0.1:5280";

    private readonly GrpcChannel _channel;
    private readonly JobService.JobServiceClient _client;
    private readonly TimeSpan _timeout;

    public JobApiClient(string address, TimeSpan? timeout = null)
    {
        Address = ParseAddress(address);
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
        _channel = GrpcChannel.ForAddress(Address);
        _client = new JobService.JobServiceClient(_channel);
    }

    public Uri Address { get; }

    /// <summary>The --api option if given, else $PALETTE_API (looked up in the caller's environment), else <see cref="DefaultAddress"/>.</summary>
    public static string ResolveAddress(string? option, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(option)) return option.Trim();
        var fromEnvironment = environment(AddressVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultAddress : fromEnvironment.Trim();
    }

    public static Uri ParseAddress(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"API address '{address}' is not an http:// or https:// URL");

    /// <param name="specFolder">The spec file's folder (relative data paths, default name); null: none.</param>
    public Task<Job> Submit(string specText, string format, string? jobId, string sourceName, CancellationToken ct = default, string? specFolder = null) =>
        Unary(o => _client.SubmitJobAsync(new SubmitJobRequest
        {
            SpecText = specText, Format = format, JobId = jobId ?? "", SourceName = sourceName, SpecFolder = specFolder ?? "",
        }, o), ct);

    /// <summary>Submits a spec file as it is: the API reads it once, resolving relative paths against its folder.</summary>
    public Task<Job> SubmitFile(string path, string? jobId, CancellationToken ct = default)
    {
        var full = Path.GetFullPath(path);
        var text = File.ReadAllText(full);
        var format = JobSpecReader.FormatOf(full, text) == JobSpecFormat.Json ? "json" : "yaml";
        return Submit(text, format, jobId, Path.GetFileName(full), ct, Path.GetDirectoryName(full));
    }

    public Task<Job> Get(string jobId, CancellationToken ct = default) =>
        Unary(o => _client.GetJobAsync(new JobRequest { JobId = jobId }, o), ct);

    public async Task<IReadOnlyList<Job>> List(CancellationToken ct = default) =>
        (await Unary(o => _client.ListJobsAsync(new ListJobsRequest(), o), ct)).Jobs;

    public Task<Job> Pause(string jobId, CancellationToken ct = default) =>
        Unary(o => _client.PauseJobAsync(new JobRequest { JobId = jobId }, o), ct);

    public Task<Job> Resume(string jobId, CancellationToken ct = default) =>
        Unary(o => _client.ResumeJobAsync(new JobRequest { JobId = jobId }, o), ct);

    public Task<Job> Cancel(string jobId, CancellationToken ct = default) =>
        Unary(o => _client.CancelJobAsync(new JobRequest { JobId = jobId }, o), ct);

    public async Task<IReadOnlyList<MetricPoint>> Metrics(string jobId, long? afterStep = null, CancellationToken ct = default)
    {
        var request = new GetJobMetricsRequest { JobId = jobId };
        if (afterStep is { } after) request.AfterStep = after;
        return (await Unary(o => _client.GetJobMetricsAsync(request, o), ct)).Points;
    }

    public async Task<IReadOnlyList<Worker>> Workers(CancellationToken ct = default) =>
        (await Unary(o => _client.ListWorkersAsync(new ListWorkersRequest(), o), ct)).Workers;

    /// <summary>The job's events until it reaches a final state (no deadline: a training run takes as long as it takes).</summary>
    public async IAsyncEnumerable<JobEvent> Watch(string jobId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var call = _client.WatchJob(new JobRequest { JobId = jobId }, new CallOptions(cancellationToken: ct));
        while (true)
        {
            JobEvent next;
            try
            {
                if (!await call.ResponseStream.MoveNext(ct)) yield break;
                next = call.ResponseStream.Current;
            }
            catch (RpcException e)
            {
                throw Translate(e);
            }
            yield return next;
        }
    }

    private async Task<T> Unary<T>(Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken ct)
    {
        try
        {
            return await call(new CallOptions(deadline: DateTime.UtcNow + _timeout, cancellationToken: ct));
        }
        catch (RpcException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>A gRPC failure as one line for a person (the server's own messages pass through as they are).</summary>
    public Exception Translate(RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable when IsConnectionFailure(e.Status.DebugException) => new JobApiException(e.StatusCode,
            $"cannot reach the PaletteCluster API at {Address}: is `palette silo` running? (set --api or ${AddressVariable} for another address)", e),
        StatusCode.Unavailable => new JobApiException(e.StatusCode, $"the PaletteCluster API at {Address} is unavailable: {e.Status.Detail}", e),
        StatusCode.DeadlineExceeded => new JobApiException(e.StatusCode,
            $"the PaletteCluster API at {Address} did not answer within {_timeout.TotalSeconds:0} s", e),
        StatusCode.Cancelled => new OperationCanceledException("cancelled", e),
        StatusCode.Unimplemented => new JobApiException(e.StatusCode,
            $"the server at {Address} does not serve the PaletteCluster job API ({e.Status.Detail})", e),
        StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.AlreadyExists =>
            new JobApiException(e.StatusCode, e.Status.Detail, e),
        _ => new JobApiException(e.StatusCode, $"the PaletteCluster API at {Address} failed ({e.StatusCode}): {e.Status.Detail}", e),
    };

    private static bool IsConnectionFailure(Exception? e) => e switch
    {
        null => false,
        HttpRequestException or SocketException or IOException => true,
        _ => IsConnectionFailure(e.InnerException),
    };

    public void Dispose() => _channel.Dispose();
}
