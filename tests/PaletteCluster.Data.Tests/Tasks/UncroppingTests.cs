using PaletteCluster.Data.Tasks;

namespace PaletteCluster.Data.Tests.Tasks;

public class UncroppingTests
{
    [Theory]
    [InlineData(UncroppingLayout.Left)]
    [InlineData(UncroppingLayout.Right)]
    [InlineData(UncroppingLayout.Top)]
    [InlineData(UncroppingLayout.Bottom)]
    [InlineData(UncroppingLayout.LeftAndRight)]
    [InlineData(UncroppingLayout.TopAndBottom)]
    public void EveryLayout_MasksExactlyHalf_InTheRightPlace(UncroppingLayout layout)
    {
        const int s = 64;
        var mask = UncroppingTask.BuildMask(layout, s);
        Assert.Equal(s * s / 2, mask.Count(v => v == 1f));
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++)
            {
                bool expected = layout switch
                {
                    UncroppingLayout.Left => x < 32,
                    UncroppingLayout.Right => x >= 32,
                    UncroppingLayout.Top => y < 32,
                    UncroppingLayout.Bottom => y >= 32,
                    UncroppingLayout.LeftAndRight => x < 16 || x >= 48,
                    _ => y < 16 || y >= 48,
                };
                Assert.Equal(expected ? 1f : 0f, mask[y * s + x]);
            }
    }

    [Fact]
    public void OneSide_DrawsTheFourSidesUniformly_AndMasksOneHalf()
    {
        var task = new UncroppingTask();
        var rng = TaskTestImages.Rng(99);
        var counts = new int[6];
        const int n = 8000;
        for (int i = 0; i < n; i++) counts[(int)task.DrawLayout(ref rng)]++;
        Assert.Equal(0, counts[4] + counts[5]);
        double sd = Math.Sqrt(n * 0.25 * 0.75);
        for (int k = 0; k < 4; k++) Assert.InRange(counts[k], n / 4 - 4 * sd, n / 4 + 4 * sd);

        var img = TaskTestImages.Gradient(300, 200);
        var r2 = TaskTestImages.Rng(5);
        for (int i = 0; i < 20; i++)
        {
            var (sample, layout) = task.MakeWithLayout(img, 64, ref r2);
            Assert.Equal(UncroppingTask.BuildMask(layout, 64), sample.Mask);
            Assert.Equal(64 * 64 / 2, sample.Mask!.Count(v => v == 1f));
        }
    }

    [Fact]
    public void TwoOppositeAndAny_DrawOnlyTheirLayouts()
    {
        var rng = TaskTestImages.Rng(4);
        var two = new UncroppingTask(UncroppingSides.TwoOpposite);
        var any = new UncroppingTask(UncroppingSides.Any);
        var seenAny = new HashSet<UncroppingLayout>();
        for (int i = 0; i < 600; i++)
        {
            Assert.True(two.DrawLayout(ref rng) is UncroppingLayout.LeftAndRight or UncroppingLayout.TopAndBottom);
            seenAny.Add(any.DrawLayout(ref rng));
        }
        Assert.Equal(6, seenAny.Count);
    }
}
