using System.Text.Json;
using PaletteCluster.Abstractions;
using PaletteCluster.Hosting.Storage;
using PaletteCluster.Recipes;

namespace PaletteCluster.Grains.Tests;

/// <summary>Job grain state written before the recipe was its own type (a flat JobSpec) loads, and is written the same way.</summary>
public sealed class JobSpecStateCompatibilityTests
{
    /// <summary>A job's status as JsonGrainStateSerializer wrote it when JobSpec held every recipe field itself.</summary>
    private const string StoredBeforeRecipes = """
        {"JobId":"faces-1a2b3c","Spec":{"Name":"faces","Data":"/data/faces","Task":"inpainting:2,colorization:1","Preset":"small",
        "ImageSize":128,"BatchSize":16,"Steps":20000,"Seed":7,"LearningRate":0.0002,"WarmupSteps":500,"GradClip":1.5,
        "EmaDecay":0.999,"Loss":"l2","Schedule":"linear:1000:1e-6:0.02","Precision":"bf16","Dropout":0.1,"CheckpointEvery":250,
        "ReportEvery":5,"Samples":4,"Workers":1},"State":"Running","Step":300,"Loss":0.12,"LearningRate":0.0002,
        "ImagesPerSecond":9.5,"Checkpoint":"/runs/jobs/faces-1a2b3c/checkpoints/step_000250","CheckpointStep":250,
        "Workers":["w1"],"Error":null,"SampleGrid":null,"CreatedAt":"2026-05-01T12:00:00+00:00",
        "UpdatedAt":"2026-05-01T12:05:00+00:00","Version":42,"SuspendedBecause":null}
        """;

    private static readonly JobSpec Expected = new()
    {
        Name = "faces", Data = "/data/faces", Workers = 1,
        Recipe = new()
        {
            Task = "inpainting:2,colorization:1", Preset = UNetPreset.Small, ImageSize = 128, BatchSize = 16, Steps = 20000, Seed = 7,
            LearningRate = 2e-4, WarmupSteps = 500, GradClip = 1.5, EmaDecay = 0.999, Loss = LossKind.L2,
            Schedule = "linear:1000:1e-6:0.02", Precision = PrecisionMode.Bf16, Dropout = 0.1, CheckpointEvery = 250, ReportEvery = 5,
            Samples = 4,
        },
    };

    private static readonly JsonSerializerOptions StateOptions = JsonGrainStateSerializer.CreateDefaultOptions();

    [Fact]
    public void A_status_stored_with_the_flat_spec_loads_with_every_recipe_value()
    {
        var status = new JsonGrainStateSerializer().Deserialize<JobStatus>(BinaryData.FromString(StoredBeforeRecipes))!;

        Assert.Equal(Expected, status.Spec);
        Assert.Equal((JobState.Running, 300L, 250L, 42L), (status.State, status.Step, status.CheckpointStep, status.Version));
    }

    [Fact]
    public void A_spec_is_stored_in_the_same_flat_shape_and_reads_back_equal()
    {
        var json = JsonSerializer.Serialize(Expected, StateOptions);
        var old = JsonDocument.Parse(StoredBeforeRecipes).RootElement.GetProperty("Spec");

        var written = JsonDocument.Parse(json).RootElement;
        Assert.Equal(old.EnumerateObject().Select(p => p.Name), written.EnumerateObject().Select(p => p.Name));
        foreach (var property in old.EnumerateObject())
            Assert.Equal(property.Value.ToString(), written.GetProperty(property.Name).ToString());
        Assert.Equal(Expected, JsonSerializer.Deserialize<JobSpec>(json, StateOptions));
    }

    [Fact]
    public void Keys_missing_from_old_state_take_the_recipe_defaults()
    {
        var spec = JsonSerializer.Deserialize<JobSpec>("""{"Name":"n","Data":"/d","Steps":12}""", StateOptions)!;

        Assert.Equal(new JobSpec { Name = "n", Data = "/d", Recipe = new() { Steps = 12 } }, spec);
    }
}
