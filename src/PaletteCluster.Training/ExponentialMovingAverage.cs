using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Training;

/// <summary>
/// EMA of the model's parameters (Palette recipe: decay 0.9999). Samples are drawn from these weights.
/// Buffers are copied, not averaged. Kept in fp32 beside the master weights.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly List<(string Name, Tensor Shadow, Tensor Source)> _pairs;
    // lerp_ takes its weight as a tensor: one 0-dim float64 tensor (what `1 - Decay` converted to before), made once.
    private readonly Tensor _weight;

    public ExponentialMovingAverage(nn.Module model, double decay)
    {
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be within [0, 1]");
        Decay = decay;
        _weight = tensor(1 - decay).DetachFromDisposeScope();
        using var _ = no_grad();
        _pairs = model.named_parameters().Select(p => (p.name, p.parameter.detach().clone().DetachFromDisposeScope(), (Tensor)p.parameter))
            .ToList();
    }

    public double Decay { get; }

    public void Update()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (_, shadow, source) in _pairs)
            shadow.lerp_(source, _weight); // shadow = decay*shadow + (1-decay)*source
    }

    public Dictionary<string, Tensor> StateTensors() => _pairs.ToDictionary(p => p.Name, p => p.Shadow);

    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, shadow, _) in _pairs)
        {
            if (!state.TryGetValue(name, out var t))
                throw new InvalidDataException($"EMA state has no tensor '{name}'");
            shadow.copy_(t);
        }
    }

    /// <summary>Copies the EMA weights into <paramref name="target"/> (same architecture), e.g. for sampling.</summary>
    public void CopyTo(nn.Module target)
    {
        using var _ = no_grad();
        var byName = target.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, shadow, _) in _pairs) byName[name].copy_(shadow);
    }

    public void Dispose()
    {
        foreach (var p in _pairs) p.Shadow.Dispose();
        _weight.Dispose();
    }
}
