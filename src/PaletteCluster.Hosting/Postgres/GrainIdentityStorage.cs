using Orleans.Runtime;
using Orleans.Storage;

namespace PaletteCluster.Hosting.Postgres;

/// <summary>
/// Puts the whole grain id ("type/key") in front of the ADO.NET grain storage, as a plain string key.
/// </summary>
/// <remarks>
/// Orleans' ADO.NET provider (10.4.2) keys a state by state name and grain key only, without the grain type, so two
/// grain types using the same state name and key share one row. It also reads any string key made only of hex
/// digits (optionally followed by '+ext') as an integer key, so "abc", "ABC" and "0abc" share one row too.
/// Handing it a key of the form "type/key" (never hex, never a Guid) gives every grain its own row and keeps the
/// stored key readable.
/// </remarks>
internal sealed class GrainIdentityStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, Scoped(grainId), grainState);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ReadStateAsync(stateName, Scoped(grainId), grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, Scoped(grainId), grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.WriteStateAsync(stateName, Scoped(grainId), grainState, cancellationToken);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, Scoped(grainId), grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ClearStateAsync(stateName, Scoped(grainId), grainState, cancellationToken);

    /// <summary>The id the inner provider sees: same type, key = the full original id.</summary>
    internal static GrainId Scoped(GrainId grainId) => GrainId.Create(grainId.Type, IdSpan.Create(grainId.ToString()));
}
