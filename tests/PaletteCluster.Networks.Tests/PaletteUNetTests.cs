using PaletteCluster.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks.Tests;

public class PaletteUNetTests
{
    // Exact parameter counts of shared/bench/palette_unet_ref.py (UNet(res=256, **CONFIGS[...])), derived
    // without torch by importing the script with stub torch/torch.nn modules whose Conv2d/Linear/GroupNorm
    // count weight+bias elements. Tiny = UNet(ch=32, mults=(1,2,2), nres=1, attn_res=(16,), head_ch=32, res=32).
    private const long ReferenceSmallParams = 67_899_587;
    private const long ReferenceAdmParams = 552_814_083;
    private const long ReferenceTinyParams = 1_371_971;

    [Fact]
    public void Small_ParameterCount_MatchesReference()
    {
        using var net = new PaletteUNet(UNetConfig.Small, device("meta"));
        Assert.Equal(ReferenceSmallParams, net.ParameterCount);
    }

    [Fact]
    public void Adm_ParameterCount_MatchesReference()
    {
        // meta device: shapes only, no 2.2 GB allocation.
        using var net = new PaletteUNet(UNetConfig.Adm, device("meta"));
        Assert.Equal(ReferenceAdmParams, net.ParameterCount);
    }

    [Fact]
    public void Tiny_ParameterCount_MatchesReference()
    {
        using var net = new PaletteUNet(UNetConfig.Tiny);
        Assert.Equal(ReferenceTinyParams, net.ParameterCount);
    }

    [Theory]
    [InlineData(6, 32, 32)]
    [InlineData(7, 32, 32)]
    [InlineData(6, 48, 64)] // neither square nor the configured ImageSize
    public void Forward_PreservesSpatialSize(int inChannels, int h, int w)
    {
        using var _ = NewDisposeScope();
        using var net = new PaletteUNet(UNetConfig.Tiny with { InChannels = inChannels });
        net.eval();
        using var __ = no_grad();
        var y = net.forward(randn(2, inChannels, h, w), rand(2));
        Assert.Equal([2L, 3L, h, w], y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public void Forward_WithLocalAttention_Works()
    {
        using var _ = NewDisposeScope();
        using var net = new PaletteUNet(UNetConfig.Tiny with { Attention = AttentionKind.Local });
        using var global = new PaletteUNet(UNetConfig.Tiny);
        Assert.Equal(global.ParameterCount, net.ParameterCount);
        net.eval();
        using var __ = no_grad();
        Assert.Equal([1L, 3L, 48L, 64L], net.forward(randn(1, 6, 48, 64), rand(1)).shape);
    }

    [Fact]
    public void Forward_RejectsBadInputs()
    {
        using var _ = NewDisposeScope();
        using var net = new PaletteUNet(UNetConfig.Tiny);
        Assert.Throws<ArgumentException>(() => net.forward(randn(1, 7, 32, 32), rand(1)));  // channels
        Assert.Throws<ArgumentException>(() => net.forward(randn(1, 6, 30, 32), rand(1)));  // not a multiple of 4
        Assert.Throws<ArgumentException>(() => net.forward(randn(2, 6, 32, 32), rand(3)));  // gamma batch
    }

    [Fact]
    public void Backward_GivesEveryParameterAFiniteGradient()
    {
        using var _ = NewDisposeScope();
        manual_seed(0);
        using var net = new PaletteUNet(UNetConfig.Tiny with { Dropout = 0.1 });
        net.train();
        var loss = (net.forward(randn(2, 6, 32, 32), rand(2)) - randn(2, 3, 32, 32)).abs().mean();
        loss.backward();
        foreach (var (name, p) in net.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
        // Something actually reaches the input conv and the noise embedding.
        var grads = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        Assert.True(grads["input_conv.weight"].abs().sum().item<float>() > 0);
        Assert.True(grads["noise_embed.linear_in.weight"].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Dropout_IsActiveOnlyInTraining()
    {
        using var _ = NewDisposeScope();
        using var net = new PaletteUNet(UNetConfig.Tiny with { Dropout = 0.5 });
        var x = randn(1, 6, 32, 32);
        var g = rand(1);
        using var __ = no_grad();

        net.train();
        Assert.False(net.forward(x, g).allclose(net.forward(x, g)), "training mode should be stochastic");

        net.eval();
        Assert.True(net.forward(x, g).eq(net.forward(x, g)).all().item<bool>(), "eval mode should be deterministic");
    }

    [Fact]
    public void Small_HasAttentionOnlyAt32x32()
    {
        using var net = new PaletteUNet(UNetConfig.Small, device("meta"));
        var blocks = net.AttentionBlocks.ToList();
        // Level 3 (32x32): 2 down + 3 up, plus the middle block (also 32x32).
        Assert.Equal(6, blocks.Count);
        Assert.All(blocks, b => Assert.Equal(32, b.Resolution));
        Assert.All(blocks, b => Assert.Equal(512, b.Channels));
        Assert.All(blocks, b => Assert.Equal(16, b.Heads));
        Assert.Equal(6, net.modules().OfType<AttentionBlock>().Count()); // all registered as submodules
    }

    [Fact]
    public void Adm_HasAttentionAt32_16_8()
    {
        using var net = new PaletteUNet(UNetConfig.Adm, device("meta"));
        var byRes = net.AttentionBlocks.GroupBy(b => b.Resolution).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [32] = 5, [16] = 5, [8] = 6 }, byRes);
    }

    [Fact]
    public void AttentionIsPlacedAtTheConfiguredResolutions()
    {
        // Tiny levels: 32, 16, 8 (1 res block down, 2 up). Ask for 32 and 8.
        using var net = new PaletteUNet(UNetConfig.Tiny with { AttentionResolutions = [32, 8] }, device("meta"));
        var byRes = net.AttentionBlocks.GroupBy(b => b.Resolution).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [32] = 3, [8] = 4 }, byRes);

        using var none = new PaletteUNet(UNetConfig.Tiny with { AttentionResolutions = [] }, device("meta"));
        Assert.Single(none.AttentionBlocks); // only the middle block
    }

    [Fact]
    public void GroupNorms_StartAsIdentityAffine()
    {
        // Guards the workaround for TorchSharp 0.107's uninitialized GroupNorm parameters.
        using var _ = NewDisposeScope();
        using var net = new PaletteUNet(UNetConfig.Tiny);
        var norms = net.named_parameters().Where(p => p.name.Contains("norm.")).ToList();
        Assert.NotEmpty(norms);
        foreach (var (name, p) in norms)
        {
            float expected = name.EndsWith(".weight") ? 1f : 0f;
            Assert.True(p.eq(expected).all().item<bool>(), $"{name} is not initialized to {expected}");
        }
    }

    [Fact]
    public void StateDictKeys_AreReadableAndStable()
    {
        using var net = new PaletteUNet(UNetConfig.Tiny, device("meta"));
        var keys = net.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "noise_embed.linear_in.weight", "noise_embed.linear_out.bias", "input_conv.weight",
            "down.0.res.in_norm.weight", "down.0.res.in_conv.weight", "down.0.res.emb_proj.weight",
            "down.0.res.out_norm.bias", "down.0.res.out_conv.weight", "down.1.res.in_conv.weight",
            "down.2.res.skip.weight", "down.2.attn.norm.weight", "down.2.attn.qkv.weight", "down.2.attn.proj.bias",
            "middle_res1.in_conv.weight", "middle_attn.qkv.weight", "middle_res2.out_conv.bias",
            "up.0.res.skip.weight", "up.1.upsample.in_conv.weight", "up.2.attn.qkv.weight",
            "up.5.res.out_conv.weight", "out_norm.weight", "out_conv.weight", "out_conv.bias",
        ];
        foreach (var k in expected)
            Assert.True(keys.Contains(k), $"missing state-dict key {k}; have: {string.Join(", ", keys.Order())}");
        Assert.DoesNotContain("down.1.res.skip.weight", keys); // downsampling keeps channels: identity skip
        Assert.DoesNotContain("up.5.upsample.in_conv.weight", keys); // no upsampling at the top level
        Assert.Equal(net.parameters().Count(), keys.Count); // no buffers, one key per parameter
    }
}
