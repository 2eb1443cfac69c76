using System.Text.Json.Nodes;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Tests;

/// <summary>The "config" of checkpoint manifests written before the recipe existed loads, and is written the same way.</summary>
public sealed class TrainConfigCompatibilityTests
{
    /// <summary>A manifest's "config" as TrainerCheckpoint.ConfigToJson wrote it when TrainConfig had its own string fields.</summary>
    private const string WrittenBeforeRecipes = """
        {
          "preset": "small",
          "imageSize": 32,
          "batchSize": 4,
          "seed": 3,
          "learningRate": 0.001,
          "warmupSteps": 5,
          "gradClip": null,
          "emaDecay": 0.9,
          "loss": "L2",
          "trainSchedule": "linear:1000:1e-6:0.02",
          "precision": "Bf16",
          "dropout": 0.1,
          "task": "inpainting,colorization"
        }
        """;

    private static readonly TrainConfig Expected = new()
    {
        Preset = UNetPreset.Small, ImageSize = 32, BatchSize = 4, Seed = 3, LearningRate = 1e-3, WarmupSteps = 5, GradClip = null,
        EmaDecay = 0.9, Loss = LossKind.L2, Schedule = "linear:1000:1e-6:0.02", Precision = PrecisionMode.Bf16, Dropout = 0.1,
        Task = "inpainting,colorization",
    };

    [Fact]
    public void An_old_manifest_config_loads_with_every_value()
    {
        var config = TrainerCheckpoint.ConfigFromJson(JsonNode.Parse(WrittenBeforeRecipes)!.AsObject(), "manifest.json");

        Assert.Equal(Expected, config);
        config.Validate();
    }

    [Fact]
    public void The_config_is_written_with_the_same_keys_and_values_as_before()
    {
        var written = TrainerCheckpoint.ConfigToJson(Expected);
        var old = JsonNode.Parse(WrittenBeforeRecipes)!.AsObject();

        Assert.Equal(old.Select(p => p.Key), written.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(old, written), written.ToJsonString());
    }

    [Fact]
    public void A_config_is_the_trajectory_part_of_a_recipe()
    {
        var recipe = new TrainingRecipe { Preset = UNetPreset.Small, ImageSize = 32, Steps = 77, ReportEvery = 3, Task = "jpeg", Seed = 11 };

        var config = TrainConfig.From(recipe);

        Assert.Equal((UNetPreset.Small, 32, "jpeg", 11L), (config.Preset, config.ImageSize, config.Task, config.Seed));
        Assert.Equal(recipe, config.ToRecipe(recipe));
        Assert.Equal(new TrainingRecipe().Steps, config.ToRecipe().Steps);
        Assert.Equal(recipe.Steps, TrainingRunOptions.For(recipe, "/d", "/r").TotalSteps);
        Assert.Contains("image_size", Assert.ThrowsAny<ArgumentException>(() => (config with { ImageSize = 12 }).Validate()).Message);
    }
}
