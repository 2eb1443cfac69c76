using PaletteCluster.Networks;

namespace PaletteCluster.Networks.Tests;

public class UNetConfigTests
{
    [Fact]
    public void Defaults_AreTheSmallPreset()
    {
        var d = new UNetConfig();
        Assert.Equal(UNetConfig.Small.Describe(), d.Describe());
        Assert.Equal(6, d.InChannels);
        Assert.Equal(3, d.OutChannels);
        Assert.Equal(1000.0, d.NoiseLevelScale);
        Assert.Equal(AttentionKind.Global, d.Attention);
    }

    [Theory]
    [InlineData("tiny", 32)]
    [InlineData("Small", 64)]
    [InlineData(" ADM ", 256)]
    public void FromPreset_IsCaseInsensitive(string name, int baseChannels)
    {
        var c = UNetConfig.FromPreset(name).Validate();
        Assert.Equal(baseChannels, c.BaseChannels);
    }

    [Fact]
    public void FromPreset_UnknownName_ListsValidNames()
    {
        var e = Assert.Throws<ArgumentException>(() => UNetConfig.FromPreset("huge"));
        Assert.Contains("huge", e.Message);
        Assert.Contains("tiny, small, adm", e.Message);
    }

    [Fact]
    public void Presets_AreFreshInstances()
    {
        // No shared mutable arrays: editing one preset's array must not leak into the next.
        var a = UNetConfig.Tiny;
        a.ChannelMults[0] = 99;
        Assert.Equal(1, UNetConfig.Tiny.ChannelMults[0]);
    }

    [Fact]
    public void AttentionLevels_AreDecidedByResolution()
    {
        var small = UNetConfig.Small;
        Assert.Equal([256, 128, 64, 32], Enumerable.Range(0, small.Levels).Select(small.ResolutionAt));
        Assert.Equal([false, false, false, true], Enumerable.Range(0, small.Levels).Select(small.HasAttentionAt));
        var adm = UNetConfig.Adm;
        Assert.Equal([false, false, false, true, true, true], Enumerable.Range(0, adm.Levels).Select(adm.HasAttentionAt));
    }

    public static TheoryData<string, UNetConfig, string> InvalidConfigs => new()
    {
        { "groups", UNetConfig.Tiny with { BaseChannels = 48 }, "divisible by 32 GroupNorm groups" },
        { "mult groups", UNetConfig.Tiny with { BaseChannels = 16, ChannelMults = [2, 3, 2] }, "level 1 (16 x 3 = 48) must be divisible by 32" },
        { "heads", UNetConfig.Small with { HeadChannels = 48 }, "divisible by HeadChannels" },
        { "attn res", UNetConfig.Small with { AttentionResolutions = [24] }, "attention resolution 24 never occurs" },
        { "image size", UNetConfig.Small with { ImageSize = 250 }, "multiple of 2^(levels-1) = 8" },
        { "dropout", UNetConfig.Tiny with { Dropout = 1.0 }, "Dropout" },
        { "scale", UNetConfig.Tiny with { NoiseLevelScale = 0 }, "NoiseLevelScale" },
        { "mults", UNetConfig.Tiny with { ChannelMults = [] }, "ChannelMults" },
        { "res blocks", UNetConfig.Tiny with { NumResBlocks = 0 }, "NumResBlocks" },
        { "in channels", UNetConfig.Tiny with { InChannels = 0 }, "InChannels" },
        { "local odd", UNetConfig.Tiny with { ImageSize = 12, AttentionResolutions = [], Attention = AttentionKind.Local }, "local attention needs an even" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Validate_RejectsBadConfigs(string what, UNetConfig config, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: '{e.Message}' lacks '{expected}'");
        // The network validates too.
        Assert.Throws<ArgumentException>(() => new PaletteUNet(config, TorchSharp.torch.device("meta")));
    }
}
