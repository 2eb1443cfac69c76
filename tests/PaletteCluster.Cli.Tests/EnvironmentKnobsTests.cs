using PaletteCluster.Cli;

namespace PaletteCluster.Cli.Tests;

/// <summary>The PALETTE_* switches are read once, by the CLI, from whatever environment it is given.</summary>
public sealed class EnvironmentKnobsTests
{
    private static EnvironmentKnobs Read(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return EnvironmentKnobs.Read(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void An_empty_environment_leaves_every_default()
    {
        Assert.Equal(new EnvironmentKnobs(LibTorchFolder: null, MkldnnEnabled: true, SynchronousCheckpoints: false, PrefetchDepth: null), Read());
    }

    [Fact]
    public void Each_variable_sets_its_knob()
    {
        var knobs = Read(("PALETTE_LIBTORCH", "/opt/torch/lib"), ("PALETTE_MKLDNN", "0"), ("PALETTE_SYNC_CHECKPOINTS", "1"), ("PALETTE_PREFETCH", "3"));
        Assert.Equal(new EnvironmentKnobs("/opt/torch/lib", MkldnnEnabled: false, SynchronousCheckpoints: true, PrefetchDepth: 3), knobs);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("two")]
    [InlineData("")]
    public void A_prefetch_depth_that_is_not_a_count_leaves_the_device_default(string value)
    {
        Assert.Null(Read(("PALETTE_PREFETCH", value)).PrefetchDepth);
    }

    [Fact]
    public void Only_the_documented_values_flip_the_switches()
    {
        var knobs = Read(("PALETTE_MKLDNN", "1"), ("PALETTE_SYNC_CHECKPOINTS", "yes"), ("PALETTE_LIBTORCH", ""));
        Assert.True(knobs.MkldnnEnabled);
        Assert.False(knobs.SynchronousCheckpoints);
        Assert.Null(knobs.LibTorchFolder);
    }
}
