using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Tasks;

/// <summary>Properties every task must have: shapes, ranges, determinism, masked-pixel bookkeeping.</summary>
public class TaskContractTests
{
    public static TheoryData<string> TaskNames => new()
    {
        "inpainting", "uncropping", "uncropping-any", "jpeg", "jpeg+", "sr", "denoising", "deblurring",
        "inpainting-randomcrop", "mix", "colorization",
    };

    internal static IImageTask Create(string name) => name switch
    {
        "inpainting" => new InpaintingTask(),
        "inpainting-randomcrop" => new InpaintingTask(Crops.RandomCrop),
        "uncropping" => new UncroppingTask(),
        "uncropping-any" => new UncroppingTask(UncroppingSides.Any, new Crops(CropKind.Random, HorizontalFlip: false)),
        "jpeg" => new JpegRestorationTask(),
        "jpeg+" => new JpegRestorationTask(JpegRestorationTask.PatentTextRate),
        "sr" => new SuperResolutionTask(),
        "denoising" => new DenoisingTask(),
        "deblurring" => new DeblurringTask(),
        "colorization" => new ColorizationTask(),
        "mix" => new TaskMix(new WeightedTask(new InpaintingTask(), 1), new WeightedTask(new JpegRestorationTask(), 1),
            new WeightedTask(new DeblurringTask(), 1)),
        _ => throw new ArgumentException(name),
    };

    private static readonly RgbImage Wide = TaskTestImages.Gradient(300, 200);

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void NonSquareInput_GivesValidShapesAndRanges(string name)
    {
        var task = Create(name);
        foreach (var image in new[] { Wide, TaskTestImages.Gradient(50, 40) })
            for (ulong seed = 0; seed < 4; seed++)
            {
                var rng = TaskTestImages.Rng(seed);
                var s = task.Make(image, 64, ref rng);
                Assert.Equal(64, s.Size);
                Assert.Equal(3 * 64 * 64, s.Condition.Length);
                Assert.Equal(3 * 64 * 64, s.Target.Length);
                Assert.All(s.Condition, v => Assert.InRange(v, -1f, 1f));
                Assert.All(s.Target, v => Assert.InRange(v, -1f, 1f));
                if (task.HasMask)
                {
                    Assert.NotNull(s.Mask);
                    Assert.Equal(64 * 64, s.Mask!.Length);
                    Assert.All(s.Mask, v => Assert.True(v == 0f || v == 1f));
                }
                else Assert.Null(s.Mask);
            }
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void SameSeed_IdenticalArrays_DifferentSeed_Different(string name)
    {
        TaskSample Run(ulong seed)
        {
            var rng = TaskTestImages.Rng(seed);
            return Create(name).Make(Wide, 64, ref rng); // fresh task instance: no hidden state
        }
        var a = Run(42);
        var b = Run(42);
        var c = Run(43);
        Assert.Equal(a.Condition, b.Condition);
        Assert.Equal(a.Target, b.Target);
        Assert.Equal(a.Mask, b.Mask);
        Assert.False(a.Condition.SequenceEqual(c.Condition) && a.Target.SequenceEqual(c.Target)
            && (a.Mask ?? []).SequenceEqual(c.Mask ?? []), "seeds 42 and 43 gave the same sample");
    }

    [Theory]
    [InlineData("inpainting")]
    [InlineData("uncropping")]
    [InlineData("uncropping-any")]
    [InlineData("inpainting-randomcrop")]
    public void MaskedTasks_KeepUnmaskedPixels_AndNoiseTheMaskedOnes(string name)
    {
        var task = Create(name);
        for (ulong seed = 0; seed < 10; seed++)
        {
            var rng = TaskTestImages.Rng(seed);
            var s = task.Make(Wide, 64, ref rng);
            int plane = 64 * 64, changed = 0, masked = 0;
            for (int i = 0; i < plane; i++)
            {
                bool m = s.Mask![i] == 1f;
                if (m) masked++;
                for (int ch = 0; ch < 3; ch++)
                {
                    int k = ch * plane + i;
                    if (!m) Assert.Equal(s.Target[k], s.Condition[k]);
                    else if (s.Condition[k] != s.Target[k]) changed++;
                }
            }
            Assert.True(masked > 0);
            Assert.True(changed > 0.95 * 3 * masked, $"only {changed} of {3 * masked} masked values differ from the target");
            // The noise is roughly standard normal clamped to [-1,1]: mean near 0, clearly spread.
            var noise = Enumerable.Range(0, plane).Where(i => s.Mask![i] == 1f).Select(i => (double)s.Condition[i]).ToArray();
            Assert.InRange(noise.Average(), -0.1, 0.1);
            Assert.InRange(noise.Select(v => v * v).Average(), 0.35, 0.8); // E[clamp(z)^2] ~ 0.51
        }
    }
}
