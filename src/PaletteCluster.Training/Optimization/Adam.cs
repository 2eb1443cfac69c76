using PaletteCluster.Diffusion;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Optimization;

/// <summary>
/// Adam (Kingma &amp; Ba) over fp32 master parameters, written out so that its whole state (moments and
/// step count) is ours to checkpoint bit for bit and to move to a multi-tensor kernel later.
/// Update rule and defaults follow torch.optim.Adam (no weight decay, no amsgrad).
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Param)> _params;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    // The constant factors of every step, owned here so that no step passes libtorch a temporary Scalar
    // (see docs/libtorch.md, last section); per-step factors are held by a HeldScalars in Step.
    private readonly HeldScalars _constants = new();
    private readonly Scalar _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _eps;

    public Adam(IEnumerable<(string Name, Parameter Param)> parameters, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _params = parameters.Where(p => p.Param.requires_grad).ToList();
        Beta1 = beta1; Beta2 = beta2; Eps = eps;
        (_beta1, _oneMinusBeta1) = (_constants.Of(beta1), _constants.Of(1 - beta1));
        (_beta2, _oneMinusBeta2) = (_constants.Of(beta2), _constants.Of(1 - beta2));
        _eps = _constants.Of(eps);
        _expAvg = _params.Select(p => zeros_like(p.Param).DetachFromDisposeScope()).ToArray();
        _expAvgSq = _params.Select(p => zeros_like(p.Param).DetachFromDisposeScope()).ToArray();
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    /// <summary>Number of updates applied so far (drives bias correction).</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update with learning rate <paramref name="lr"/> to every parameter that has a gradient.</summary>
    public void Step(double lr)
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(Beta1, StepCount);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var k = new HeldScalars();
        Scalar bc2SqrtS = k.Of(bc2Sqrt), stepSize = k.Of(-lr / bc1);
        for (int i = 0; i < _params.Count; i++)
        {
            var p = _params[i].Param;
            var g = p.grad;
            if (g is null) continue;
            _expAvg[i].mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
            _expAvgSq[i].mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
            var denom = _expAvgSq[i].sqrt().div_(bc2SqrtS).add_(_eps, k.One); // add_(eps) passes alpha 1: held too
            p.addcdiv_(_expAvg[i], denom, value: stepSize);
        }
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _params)
            p.grad = null; // like set_to_none=True: no memset, and a missing grad is skipped by Step
    }

    /// <summary>Moments keyed "exp_avg/&lt;param&gt;" and "exp_avg_sq/&lt;param&gt;", for a safetensors file.</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        for (int i = 0; i < _params.Count; i++)
        {
            state["exp_avg/" + _params[i].Name] = _expAvg[i];
            state["exp_avg_sq/" + _params[i].Name] = _expAvgSq[i];
        }
        return state;
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        using var _ = no_grad();
        for (int i = 0; i < _params.Count; i++)
        {
            _expAvg[i].copy_(Require(state, "exp_avg/" + _params[i].Name, _expAvg[i]));
            _expAvgSq[i].copy_(Require(state, "exp_avg_sq/" + _params[i].Name, _expAvgSq[i]));
        }
        StepCount = stepCount;
    }

    internal static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string key, Tensor like)
    {
        if (!state.TryGetValue(key, out var t))
            throw new InvalidDataException($"optimizer state has no tensor '{key}'");
        if (!t.shape.SequenceEqual(like.shape))
            throw new InvalidDataException($"optimizer tensor '{key}' has shape [{string.Join(",", t.shape)}], expected [{string.Join(",", like.shape)}]");
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
        _constants.Dispose();
    }
}
