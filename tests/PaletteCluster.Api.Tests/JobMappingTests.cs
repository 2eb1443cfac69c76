using Google.Protobuf;
using PaletteCluster.Abstractions;
using PaletteCluster.Api.Service;
using PaletteCluster.Recipes;
using V1 = PaletteCluster.Api.V1;

namespace PaletteCluster.Api.Tests;

public sealed class JobMappingTests
{
    private static readonly JobSpec Full = new()
    {
        Name = "faces", Data = "/data/faces", Workers = 1,
        Recipe = new()
        {
            Task = "inpainting:2,colorization:1", Preset = UNetPreset.Adm, ImageSize = 128, BatchSize = 16, Steps = 20000, Seed = -7,
            LearningRate = 2e-4, WarmupSteps = 500, GradClip = 1.5, EmaDecay = 0.999, Loss = LossKind.L2,
            Schedule = "cosine:1000", Precision = PrecisionMode.Bf16, Dropout = 0.1, CheckpointEvery = 250, ReportEvery = 5, Samples = 4,
        },
    };

    [Fact]
    public void A_spec_survives_the_wire_message_and_its_bytes()
    {
        var message = Full.ToMessage();
        var decoded = V1.JobSpec.Parser.ParseFrom(message.ToByteArray());

        var problems = new List<RecipeProblem>();
        Assert.Equal(Full, decoded.FromMessage(problems));
        Assert.Empty(problems);
        Assert.Equal(("adm", "l2", "bf16"), (decoded.Recipe.Preset, decoded.Recipe.Loss, decoded.Recipe.Precision));
    }

    [Fact]
    public void No_grad_clip_stays_unset_on_the_wire()
    {
        var message = (Full with { Recipe = Full.Recipe with { GradClip = null } }).ToMessage();

        Assert.False(message.Recipe.HasGradClip);
        Assert.Null(message.FromMessage([]).Recipe.GradClip);
    }

    [Fact]
    public void Unknown_names_on_the_wire_are_problems_of_their_fields()
    {
        var message = Full.ToMessage();
        message.Recipe.Preset = "huge";
        message.Recipe.Loss = "l9";

        var problems = new List<RecipeProblem>();
        message.FromMessage(problems);

        Assert.Equal([RecipeFields.Preset, RecipeFields.Loss], problems.Select(p => p.Field));
        Assert.Contains("one of tiny, small, adm; got 'huge'", problems[0].Message);
    }

    [Fact]
    public void A_status_carries_the_recipe_once()
    {
        var status = new JobStatus { JobId = "j", Spec = Full }.ToMessage();

        Assert.Equal(20000, status.Spec.Recipe.Steps);
        Assert.Equal(Full, status.Spec.FromMessage([]));
    }
}
