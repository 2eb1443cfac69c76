using PaletteCluster.Diffusion;
using PaletteCluster.Networks;
using PaletteCluster.Training.Optimization;
using PaletteCluster.Training.Precision;
using TorchSharp;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training;

/// <summary>
/// One Palette training step and the state it mutates: fp32 master network, Adam, EMA, LR schedule and the
/// noise and dropout generators. Knows nothing of data loading, files or clusters.
/// </summary>
public sealed class PaletteTrainer : IDisposable
{
    private readonly GaussianDiffusion _diffusion;
    private readonly WarmupLearningRate _lr;
    private readonly Bf16ComputeReplica? _bf16;
    private readonly NoisePredictor _predictor;

    public PaletteTrainer(TrainConfig config, Device device)
    {
        config.Validate();
        Config = config;
        Device = device;
        // Weights, dropout masks and noise each come from a generator of this trainer's own, never from libtorch's
        // process-wide one, so trainers running side by side in one process do not disturb each other.
        Network = PaletteFactory.CreateNetwork(config, device);
        _diffusion = PaletteFactory.CreateDiffusion(config);
        Optimizer = new Adam(Network.named_parameters().Select(p => (p.name, p.parameter)));
        Ema = new ExponentialMovingAverage(Network, config.EmaDecay);
        _lr = new WarmupLearningRate(config.LearningRate, config.WarmupSteps);
        // Gamma and noise come from their own generator so data and dropout never shift the noise stream.
        NoiseGenerator = new Generator((ulong)config.Seed + 1, device);
        DropoutGenerator = new Generator((ulong)config.Seed + 2, device);
        GeneratorDropout.AssignGenerator(Network, DropoutGenerator);
        if (config.Precision == PrecisionMode.Bf16)
        {
            _bf16 = new Bf16ComputeReplica(Network, PaletteFactory.CreateNetwork(config, device));
            GeneratorDropout.AssignGenerator(_bf16.Replica, DropoutGenerator); // the replica runs the forward pass
            _predictor = PaletteFactory.AsNoisePredictor((PaletteUNet)_bf16.Replica, ScalarType.BFloat16);
        }
        else
        {
            _predictor = PaletteFactory.AsNoisePredictor(Network);
        }
    }

    public TrainConfig Config { get; }
    public Device Device { get; }
    public PaletteUNet Network { get; }
    public Adam Optimizer { get; }
    public ExponentialMovingAverage Ema { get; }
    public Generator NoiseGenerator { get; }
    public Generator DropoutGenerator { get; }

    /// <summary>Completed optimizer updates.</summary>
    public long Step => Optimizer.StepCount;

    public double CurrentLearningRate => _lr.At(Step);

    /// <summary>
    /// One update on a batch. Returns the loss as a 0-d fp32 tensor without reading it, so the host does not
    /// wait for the device; call .item only when logging.
    /// </summary>
    public Tensor TrainStep(Tensor condition, Tensor target, Tensor? mask = null)
    {
        Network.train();
        Optimizer.ZeroGrad();
        Tensor loss;
        using (var scope = NewDisposeScope())
        {
            var (c, y, m) = (condition.to(Device), target.to(Device), mask?.to(Device));
            if (_bf16 is not null)
            {
                _bf16.PullWeights();
                _bf16.Replica.train();
            }
            loss = _diffusion.TrainingLoss(_predictor, c, y, m, Config.Loss, NoiseGenerator);
            loss.backward();
            _bf16?.PushGradients();
            if (Config.GradClip is { } maxNorm)
                GradientClipping.ClipByGlobalNorm(Network.parameters(), maxNorm);
            Optimizer.Step(_lr.At(Step));
            Ema.Update();
            loss = loss.detach().to(ScalarType.Float32).MoveToOuterDisposeScope();
        }
        return loss;
    }

    public void Dispose()
    {
        _bf16?.Dispose();
        _diffusion.Dispose();
        Ema.Dispose();
        Optimizer.Dispose();
        Network.Dispose();
        NoiseGenerator.Dispose();
        DropoutGenerator.Dispose();
    }
}
