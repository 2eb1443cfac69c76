using System.Text.Json;
using PaletteCluster.Recipes;

namespace PaletteCluster.Recipes.Tests;

public sealed class SpecTextTests
{
    [Theory]
    [InlineData("tiny", UNetPreset.Tiny)]
    [InlineData(" ADM ", UNetPreset.Adm)]
    [InlineData("Small", UNetPreset.Small)]
    public void Preset_names_parse_in_any_case(string text, UNetPreset expected)
    {
        Assert.True(SpecNames.TryParse<UNetPreset>(text, out var preset));
        Assert.Equal(expected, preset);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("huge")]
    [InlineData("")]
    [InlineData(null)]
    public void Numbers_and_unknown_names_are_no_preset(string? text) => Assert.False(SpecNames.TryParse<UNetPreset>(text, out _));

    [Fact]
    public void Enum_names_are_the_spec_names()
    {
        Assert.Equal(["tiny", "small", "adm"], SpecNames.All<UNetPreset>());
        Assert.Equal(["l1", "l2"], SpecNames.All<LossKind>());
        Assert.Equal(["fp32", "bf16"], SpecNames.All<PrecisionMode>());
    }

    [Fact]
    public void Task_mixes_parse_to_names_and_weights()
    {
        var mix = TaskMixSpec.Parse("Inpainting:2, colorization");

        Assert.Equal([new WeightedTaskName("inpainting", 2), new WeightedTaskName("colorization", 1)], mix);
        Assert.Equal(TaskMixSpec.TaskNames, TaskMixSpec.Parse("all").Select(t => t.Name));
        Assert.Contains("known: colorization", Assert.Throws<ArgumentException>(() => TaskMixSpec.Parse("paint")).Message);
        Assert.Contains("positive weight", Assert.Throws<ArgumentException>(() => TaskMixSpec.Parse("jpeg:0")).Message);
    }

    [Fact]
    public void Recipe_json_writes_spec_names_and_reads_old_capitalised_ones()
    {
        var recipe = new TrainingRecipe { Preset = UNetPreset.Adm, Loss = LossKind.L2, Precision = PrecisionMode.Bf16, GradClip = 2 };

        var json = JsonSerializer.Serialize(recipe);

        Assert.Contains("\"Preset\":\"adm\"", json);
        Assert.Contains("\"Loss\":\"l2\"", json);
        Assert.Contains("\"Precision\":\"bf16\"", json);
        Assert.Equal(recipe, JsonSerializer.Deserialize<TrainingRecipe>(json));
        var old = JsonSerializer.Deserialize<TrainingRecipe>("""{"Preset":"Small","Loss":"L2","Precision":"Fp32"}""")!;
        Assert.Equal((UNetPreset.Small, LossKind.L2, PrecisionMode.Fp32), (old.Preset, old.Loss, old.Precision));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingRecipe>("""{"Preset":2}"""));
    }
}
