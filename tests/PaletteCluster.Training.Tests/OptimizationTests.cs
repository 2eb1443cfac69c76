using PaletteCluster.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Adam = PaletteCluster.Training.Optimization.Adam;

namespace PaletteCluster.Training.Tests;

public class OptimizationTests
{
    [Fact]
    public void AdamMatchesTheClosedFormUpdate()
    {
        _ = TrainerFixture.Cpu;
        var p = new Parameter(tensor(new[] { 1.0f, -2.0f, 0.5f }));
        using var adam = new Adam([("w", p)], beta1: 0.9, beta2: 0.999, eps: 1e-8);
        double[] w = [1.0, -2.0, 0.5], m = new double[3], v = new double[3];
        double[][] grads = [[0.1, -0.3, 2.0], [0.2, 0.1, -1.0], [-0.5, 0.0, 0.3]];
        for (int step = 1; step <= 3; step++)
        {
            p.grad = tensor(grads[step - 1].Select(x => (float)x).ToArray());
            adam.Step(0.01);
            for (int i = 0; i < 3; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * grads[step - 1][i];
                v[i] = 0.999 * v[i] + 0.001 * grads[step - 1][i] * grads[step - 1][i];
                double mHat = m[i] / (1 - Math.Pow(0.9, step)), vHat = v[i] / (1 - Math.Pow(0.999, step));
                w[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
        var actual = p.data<float>().ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(w[i], actual[i], 5);
        Assert.Equal(3, adam.StepCount);
    }

    [Fact]
    public void AdamSkipsParametersWithoutGradient()
    {
        _ = TrainerFixture.Cpu;
        var p = new Parameter(ones(2));
        using var adam = new Adam([("w", p)]);
        adam.ZeroGrad();
        adam.Step(0.1);
        Assert.Equal(new[] { 1f, 1f }, p.data<float>().ToArray());
    }

    [Theory]
    [InlineData(0, 1e-5)]
    [InlineData(4, 5e-5)]
    [InlineData(9, 1e-4)]
    [InlineData(100_000, 1e-4)]
    public void WarmupIsLinearThenConstant(long step, double expected)
    {
        Assert.Equal(expected, new WarmupLearningRate(1e-4, 10).At(step), 12);
    }

    [Fact]
    public void GradientClippingScalesToTheLimitOnlyWhenAbove()
    {
        _ = TrainerFixture.Cpu;
        var a = new Parameter(zeros(2)); a.grad = tensor(new[] { 3f, 0f });
        var b = new Parameter(zeros(1)); b.grad = tensor(new[] { 4f });
        using var norm = GradientClipping.ClipByGlobalNorm([a, b], 1.0);
        Assert.Equal(5f, norm.item<float>(), 4);
        Assert.Equal(new[] { 0.6f, 0f }, a.grad!.data<float>().ToArray().Select(x => MathF.Round(x, 4)));
        Assert.Equal(0.8f, b.grad!.data<float>()[0], 4);

        using var small = GradientClipping.ClipByGlobalNorm([a, b], 10.0);
        Assert.Equal(0.8f, b.grad!.data<float>()[0], 4); // below the limit: unchanged
    }

    [Fact]
    public void EmaFollowsTheDecayFormula()
    {
        _ = TrainerFixture.Cpu;
        var model = nn.Linear(2, 1);
        using (no_grad()) { model.weight!.fill_(1.0); model.bias!.fill_(0.0); }
        using var ema = new ExponentialMovingAverage(model, 0.9);
        using (no_grad()) { model.weight!.fill_(2.0); model.bias!.fill_(1.0); }
        ema.Update();
        ema.Update();
        // shadow: 1 -> 0.9*1 + 0.1*2 = 1.1 -> 0.9*1.1 + 0.1*2 = 1.19
        Assert.Equal(1.19f, ema.StateTensors()["weight"].data<float>()[0], 5);
        Assert.Equal(0.19f, ema.StateTensors()["bias"].data<float>()[0], 5);
    }
}
