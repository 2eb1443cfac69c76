using PaletteCluster.Data.Tasks;

namespace PaletteCluster.Data.Tests.Tasks;

public class InpaintingMaskTests
{
    private const int Draws = 10_000;

    [Fact]
    public void TenThousandMasks_AreaInBounds_FreeFormShareAndRectangleCounts()
    {
        var gen = new InpaintingMaskGenerator();
        var rng = TaskTestImages.Rng(12345);
        int freeForm = 0, fallbacks = 0;
        var rectCounts = new int[6];
        double minFrac = 1, maxFrac = 0;
        for (int i = 0; i < Draws; i++)
        {
            var m = gen.Generate(64, ref rng);
            Assert.Equal(64 * 64, m.Values.Length);
            Assert.All(m.Values, v => Assert.True(v == 0f || v == 1f));
            double f = m.Fraction;
            minFrac = Math.Min(minFrac, f);
            maxFrac = Math.Max(maxFrac, f);
            Assert.InRange(f, 0.10, 0.40);
            if (m.UsedFallback) fallbacks++;
            if (m.Kind == InpaintingMaskKind.FreeForm) { freeForm++; Assert.Equal(0, m.RectangleCount); }
            else rectCounts[m.RectangleCount]++;
        }
        // Binomial(10000, 0.6): sd = sqrt(n p q) ~ 49; allow 4 sd.
        double sd = Math.Sqrt(Draws * 0.6 * 0.4);
        Assert.InRange(freeForm, Draws * 0.6 - 4 * sd, Draws * 0.6 + 4 * sd);
        Assert.True(fallbacks < Draws / 100, $"{fallbacks} fallbacks: rejection sampling should rarely give up");
        Assert.Equal(0, rectCounts[0]);
        int rectTotal = Draws - freeForm;
        for (int n = 1; n <= 5; n++)
        {
            // Each count uniform over 1..5 among rectangle masks (fallbacks count as 1): 4 sd binomial bound.
            double p = 0.2, sdn = Math.Sqrt(rectTotal * p * (1 - p));
            Assert.InRange(rectCounts[n], rectTotal * p - 4 * sdn - fallbacks, rectTotal * p + 4 * sdn + fallbacks);
        }
        // The bounds are actually used, not a degenerate fixed area.
        Assert.True(minFrac < 0.15 && maxFrac > 0.35, $"area range [{minFrac}, {maxFrac}]");
    }

    [Fact]
    public void FallbackRectangle_AlwaysSatisfiesBounds()
    {
        var gen = new InpaintingMaskGenerator { MaxAttempts = 0 }; // force the fallback path
        var rng = TaskTestImages.Rng(7);
        foreach (int size in new[] { 2, 3, 5, 17, 64 })
            for (int i = 0; i < 200; i++)
            {
                var m = gen.Generate(size, ref rng);
                Assert.True(m.UsedFallback);
                Assert.Equal(InpaintingMaskKind.Rectangles, m.Kind);
                Assert.InRange(m.Fraction, 0.10, 0.40);
            }
    }

    [Fact]
    public void ProbabilityOne_GivesOnlyFreeForm_ProbabilityZero_OnlyRectangles()
    {
        var rng = TaskTestImages.Rng(3);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(InpaintingMaskKind.FreeForm, new InpaintingMaskGenerator { FreeFormProbability = 1 }.Generate(32, ref rng).Kind);
            Assert.Equal(InpaintingMaskKind.Rectangles, new InpaintingMaskGenerator { FreeFormProbability = 0 }.Generate(32, ref rng).Kind);
        }
    }

    [Fact]
    public void SizeOne_IsRejected()
    {
        var rng = TaskTestImages.Rng(1);
        var gen = new InpaintingMaskGenerator();
        Assert.Throws<ArgumentOutOfRangeException>(() => gen.Generate(1, ref rng));
    }
}
