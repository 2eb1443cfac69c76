using PaletteCluster.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks.Tests;

public class AttentionBlockTests
{
    // Output of the block on x and on x with the top-left tile (rows/cols 0..3 of 8x8) changed.
    private static (Tensor before, Tensor after) PerturbTopLeft(AttentionKind kind)
    {
        manual_seed(1);
        using var block = new AttentionBlock(64, 32, kind);
        block.eval();
        var x = randn(2, 64, 8, 8);
        var y = x.clone();
        y[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, 4), TensorIndex.Slice(0, 4)] += randn(2, 64, 4, 4);
        using (no_grad())
            return (block.forward(x), block.forward(y));
    }

    private static Tensor Tile(Tensor t, int row, int col) =>
        t[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(row * 4, row * 4 + 4), TensorIndex.Slice(col * 4, col * 4 + 4)];

    [Fact]
    public void Local_ChangingOneTile_LeavesOtherTilesUnchanged()
    {
        using var _ = NewDisposeScope();
        var (before, after) = PerturbTopLeft(AttentionKind.Local);
        foreach (var (r, c) in new[] { (0, 1), (1, 0), (1, 1) })
            Assert.True(Tile(before, r, c).allclose(Tile(after, r, c), rtol: 0, atol: 1e-6), $"tile ({r},{c}) changed");
        Assert.False(Tile(before, 0, 0).allclose(Tile(after, 0, 0), rtol: 0, atol: 1e-3), "the perturbed tile should change");
    }

    [Fact]
    public void Global_ChangingOneTile_ChangesOtherTiles()
    {
        using var _ = NewDisposeScope();
        var (before, after) = PerturbTopLeft(AttentionKind.Global);
        foreach (var (r, c) in new[] { (0, 1), (1, 0), (1, 1) })
            Assert.False(Tile(before, r, c).allclose(Tile(after, r, c), rtol: 0, atol: 1e-4), $"tile ({r},{c}) did not change");
    }

    [Fact]
    public void Local_EqualsGlobalAttentionRunOnEachTile_WithSameParameters()
    {
        using var _ = NewDisposeScope();
        manual_seed(2);
        using var global = new AttentionBlock(64, 32, AttentionKind.Global);
        using var local = new AttentionBlock(64, 32, AttentionKind.Local);
        local.load_state_dict(global.state_dict()); // same parameter names and shapes
        var x = randn(1, 64, 8, 12);
        using (no_grad())
        {
            var y = local.forward(x);
            for (int r = 0; r < 2; r++)
                for (int c = 0; c < 2; c++)
                {
                    var rows = TensorIndex.Slice(r * 4, r * 4 + 4);
                    var cols = TensorIndex.Slice(c * 6, c * 6 + 6);
                    var expected = global.forward(x[TensorIndex.Colon, TensorIndex.Colon, rows, cols].contiguous());
                    Assert.True(y[TensorIndex.Colon, TensorIndex.Colon, rows, cols].allclose(expected, rtol: 1e-4, atol: 1e-5));
                }
        }
    }

    [Fact]
    public void Local_RejectsOddFeatureMaps()
    {
        using var _ = NewDisposeScope();
        using var local = new AttentionBlock(32, 32, AttentionKind.Local);
        Assert.Throws<ArgumentException>(() => local.forward(randn(1, 32, 5, 4)));
    }

    [Fact]
    public void HeadCount_IsChannelsOverHeadChannels()
    {
        using var a = new AttentionBlock(512, 64);
        Assert.Equal(8, a.Heads);
        Assert.Throws<ArgumentException>(() => new AttentionBlock(96, 64));
    }
}
