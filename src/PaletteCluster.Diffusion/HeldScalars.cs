using TorchSharp;

namespace PaletteCluster.Diffusion;

/// <summary>
/// TorchSharp Scalars kept alive until this object is disposed. TorchSharp 0.107 passes a Scalar's native handle to
/// libtorch without keeping the managed object alive for the call, so a temporary Scalar (an implicit conversion such
/// as <c>t * 0.5</c>, or the default <c>alpha = 1</c> of <c>a + b</c>) can be finalized by a garbage collection that
/// another thread starts mid-call, while libtorch still reads it (docs/libtorch.md, last section). Every Scalar a hot
/// path passes comes from here (or another owner that outlives the call): the list holds it, and disposing frees the
/// native values at once instead of leaving them to the finalizer.
/// Usage: <c>using var k = new HeldScalars();</c> at the top of a step, then <c>y.mul(k.Of(c))</c>, <c>a.add(b, k.One)</c>.
/// </summary>
public sealed class HeldScalars : IDisposable
{
    private readonly List<Scalar> _held = new();
    private Scalar? _one;
    private bool _disposed;

    /// <summary>
    /// The integer 1: the alpha TorchSharp's <c>a + b</c>, <c>add(scalar)</c> and <c>1.0 - t</c> pass implicitly.
    /// Passing it explicitly (<c>a.add(b, k.One)</c>) makes the same libtorch call with the same value and type.
    /// </summary>
    public Scalar One => _one ??= Of(1);

    /// <summary>A double Scalar (what <c>t * 0.5</c> converts to), held until disposal.</summary>
    public Scalar Of(double value) => Hold(value.ToScalar());

    /// <summary>A 32-bit integer Scalar (what <c>t - 1</c> converts to), held until disposal.</summary>
    public Scalar Of(int value) => Hold(value.ToScalar());

    /// <summary>A float Scalar (what <c>t * 0.5f</c> converts to), held until disposal.</summary>
    public Scalar Of(float value) => Hold(value.ToScalar());

    private Scalar Hold(Scalar scalar)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _held.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in _held) scalar.Dispose();
        _held.Clear();
        _one = null;
        _disposed = true;
    }
}
