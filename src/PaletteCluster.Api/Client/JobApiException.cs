using Grpc.Core;

namespace PaletteCluster.Api.Client;

/// <summary>A job API call failed for a reason the user can act on; the message is meant to be printed as is.</summary>
public sealed class JobApiException(StatusCode status, string message, Exception? inner = null) : Exception(message, inner)
{
    public StatusCode Status { get; } = status;
}
