using PaletteCluster.Abstractions;
using PaletteCluster.Api.Specs;
using PaletteCluster.Recipes;

namespace PaletteCluster.Api.Tests;

public class JobSpecReaderTests
{
    private const string FullYaml = """
        # every key, none at its default
        name: faces-colorization
        data: /data/faces
        task: inpainting:2,colorization:1
        preset: small
        image_size: 128
        batch_size: 16
        steps: 20000
        seed: 7
        learning_rate: 2e-4
        warmup_steps: 500
        grad_clip: 1.5
        ema_decay: 0.999
        loss: l2
        schedule: "linear:1000:1e-6:0.02"
        precision: bf16
        dropout: 0.1
        checkpoint_every: 250
        report_every: 5
        samples: 4
        workers: 1
        """;

    private const string FullJson = """
        {
          "name": "faces-colorization",
          "data": "/data/faces",
          "task": "inpainting:2,colorization:1",
          "preset": "small",
          "image_size": 128,
          "batch_size": 16,
          "steps": 20000,
          "seed": 7,
          "learning_rate": 0.0002,
          "warmup_steps": 500,
          "grad_clip": 1.5,
          "ema_decay": 0.999,
          "loss": "l2",
          "schedule": "linear:1000:1e-6:0.02",
          "precision": "bf16",
          "dropout": 0.1,
          "checkpoint_every": 250,
          "report_every": 5,
          "samples": 4,
          "workers": 1
        }
        """;

    private static JobSpecException Fails(string text, JobSpecFormat format = JobSpecFormat.Yaml, string source = "job.yaml") =>
        Assert.Throws<JobSpecException>(() => JobSpecReader.Read(text, source, format));

    private static JobSpecError Single(JobSpecException e) => Assert.Single(e.Errors);

    [Fact]
    public void Yaml_and_json_of_the_same_spec_read_to_equal_specs_with_every_value()
    {
        var fromYaml = JobSpecReader.Read(FullYaml, "job.yaml", JobSpecFormat.Yaml);
        var fromJson = JobSpecReader.Read(FullJson, "job.json", JobSpecFormat.Json);

        Assert.Equal(fromYaml, fromJson);
        var expected = new JobSpec
        {
            Name = "faces-colorization", Data = "/data/faces", Workers = 1,
            Recipe = new()
            {
                Task = "inpainting:2,colorization:1", Preset = UNetPreset.Small, ImageSize = 128, BatchSize = 16, Steps = 20000, Seed = 7,
                LearningRate = 2e-4, WarmupSteps = 500, GradClip = 1.5, EmaDecay = 0.999, Loss = LossKind.L2,
                Schedule = "linear:1000:1e-6:0.02", Precision = PrecisionMode.Bf16, Dropout = 0.1, CheckpointEvery = 250,
                ReportEvery = 5, Samples = 4,
            },
        };
        Assert.Equal(expected, fromYaml);
    }

    [Fact]
    public void Keys_left_out_take_the_JobSpec_defaults()
    {
        var spec = JobSpecReader.Read("data: /data/faces\nsteps: 50\n", "job.yaml");

        Assert.Equal(new JobSpec { Data = "/data/faces", Recipe = new() { Steps = 50 } }, spec);
        Assert.Equal("colorization", spec.Recipe.Task);
        Assert.Null(spec.Recipe.GradClip);
        Assert.Equal(1, spec.Workers);
    }

    [Fact]
    public void Format_is_guessed_from_the_text_when_not_given()
    {
        Assert.Equal(50, JobSpecReader.Read("""{"data": "/d", "steps": 50}""", "spec").Recipe.Steps);
        Assert.Equal(60, JobSpecReader.Read("data: /d\nsteps: 60", "spec").Recipe.Steps);
    }

    [Fact]
    public void Unknown_key_is_reported_with_file_line_and_a_suggestion()
    {
        var e = Fails("data: /d\nsteps: 10\nbatch_szie: 4\n");

        var error = Single(e);
        Assert.Equal(("job.yaml", 3, "batch_szie"), (error.Source, error.Line, error.Key));
        Assert.Contains("did you mean 'batch_size'?", error.Message);
        Assert.Contains("job.yaml:3: batch_szie: unknown key; did you mean 'batch_size'?", e.Message);
    }

    [Theory]
    [InlineData("batchSize", "batch_size")]
    [InlineData("image-size", "image_size")]
    [InlineData("lr", "learning_rate")]
    [InlineData("warmup", "warmup_steps")]
    [InlineData("precison", "precision")]
    public void Suggestions_cover_typos_other_spellings_and_train_option_names(string typed, string expected) =>
        Assert.Equal(expected, JobSpecKeys.Suggest(typed));

    [Fact]
    public void Unknown_key_far_from_every_known_key_lists_the_known_keys_instead()
    {
        var error = Single(Fails("data: /d\nsteps: 10\ncolour_space: lab\n"));

        Assert.DoesNotContain("did you mean", error.Message);
        Assert.Contains("known keys: name, data", error.Message);
    }

    [Fact]
    public void Wrong_types_name_the_expected_type_and_what_was_given()
    {
        var e = Fails("""
            data: /d
            steps: many
            image_size: "64"
            learning_rate: [0.1]
            name: {a: 1}
            """);

        Assert.Equal(4, e.Errors.Count);
        Assert.Contains(e.Errors, x => x is { Line: 2, Key: "steps" } && x.Message == "expected a whole number, got text 'many'");
        Assert.Contains(e.Errors, x => x is { Line: 3, Key: "image_size" } && x.Message == "expected a whole number, got text '64'");
        Assert.Contains(e.Errors, x => x is { Line: 4, Key: "learning_rate" } && x.Message == "expected a number, got a list");
        Assert.Contains(e.Errors, x => x is { Line: 5, Key: "name" } && x.Message == "expected text, got a mapping");
    }

    [Fact]
    public void Fractional_value_for_a_whole_number_key_is_a_type_error_but_exponent_form_is_accepted()
    {
        Assert.Equal(10000, JobSpecReader.Read("data: /d\nsteps: 1e4\n", "job.yaml").Recipe.Steps);
        var error = Single(Fails("data: /d\nsteps: 2.5\n"));
        Assert.Equal(("steps", 2), (error.Key, error.Line));
        Assert.Contains("whole number", error.Message);
    }

    [Theory]
    [InlineData("image_size: 4", "image_size", "between 8 and 4096")]
    [InlineData("image_size: 100", "image_size", "multiple of 8")]
    [InlineData("batch_size: 0", "batch_size", "between 1 and 65536")]
    [InlineData("batch_size: 70000", "batch_size", "between 1 and 65536")]
    [InlineData("learning_rate: 0", "learning_rate", "in (0, 1)")]
    [InlineData("learning_rate: 1", "learning_rate", "in (0, 1)")]
    [InlineData("warmup_steps: -1", "warmup_steps", "at least 0")]
    [InlineData("grad_clip: 0", "grad_clip", "greater than 0")]
    [InlineData("ema_decay: 1.5", "ema_decay", "in [0, 1]")]
    [InlineData("dropout: 1", "dropout", "in [0, 1)")]
    [InlineData("checkpoint_every: 0", "checkpoint_every", "at least 1")]
    [InlineData("report_every: 0", "report_every", "at least 1")]
    [InlineData("samples: 2000", "samples", "between 0 and 1024")]
    [InlineData("workers: 0", "workers", "at least 1")]
    [InlineData("loss: l3", "loss", "one of l1, l2; got 'l3'")]
    [InlineData("precision: fp16", "precision", "one of fp32, bf16; got 'fp16'")]
    [InlineData("preset: huge", "preset", "one of tiny, small, adm; got 'huge'")]
    [InlineData("task: ''", "task", "must not be empty")]
    public void Out_of_range_and_bad_enum_values_are_reported_on_their_line(string line, string key, string message)
    {
        var error = Single(Fails($"data: /d\nsteps: 10\n{line}\n"));

        Assert.Equal(("job.yaml", 3, key), (error.Source, error.Line, error.Key));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Boundary_values_are_accepted()
    {
        var spec = JobSpecReader.Read("""
            data: /d
            steps: 1
            image_size: 8
            batch_size: 65536
            warmup_steps: 0
            ema_decay: 1
            dropout: 0
            samples: 0
            grad_clip: ~
            loss: L2
            """, "job.yaml");

        var r = spec.Recipe;
        Assert.Equal((1L, 8, 65536, 0L, 1.0, 0.0, 0, (double?)null, LossKind.L2),
            (r.Steps, r.ImageSize, r.BatchSize, r.WarmupSteps, r.EmaDecay, r.Dropout, r.Samples, r.GradClip, r.Loss));
    }

    [Fact]
    public void More_than_one_worker_says_multi_worker_training_is_not_available_yet()
    {
        var error = Single(Fails("data: /d\nsteps: 10\nworkers: 4\n"));

        Assert.Equal(("workers", 3), (error.Key, error.Line));
        Assert.Contains("multi-worker training is not available yet", error.Message);
    }

    [Fact]
    public void Missing_data_and_steps_are_both_reported()
    {
        var e = Fails("name: x\nseed: 1\n");

        Assert.Equal(["data", "steps"], e.Errors.Select(x => x.Key!).Order().ToArray());
        Assert.All(e.Errors, x => Assert.Equal("required key is missing", x.Message));
        Assert.Contains("job.yaml:1: data: required key is missing", e.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_in_line_order()
    {
        var e = Fails("""
            name: demo
            data: /d
            stepz: 10
            batch_size: 0
            loss: huber
            workers: 2
            """);

        // steps (missing: reported at the mapping's line 1), stepz (unknown), batch_size, loss, workers
        Assert.Equal([1, 3, 4, 5, 6], e.Errors.Select(x => x.Line).ToArray());
        var lines = e.Message.Split('\n');
        Assert.Equal("job spec job.yaml is invalid (5 problems):", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.Contains("  job.yaml:3: stepz: unknown key; did you mean 'steps'?", lines);
    }

    [Fact]
    public void Duplicate_key_is_an_error_naming_both_lines()
    {
        var error = Single(Fails("data: /d\nsteps: 10\nsteps: 20\n"));

        Assert.Equal(("steps", 3), (error.Key, error.Line));
        Assert.Contains("first on line 2", error.Message);
    }

    [Fact]
    public void Malformed_yaml_is_one_syntax_error_with_its_line()
    {
        var e = Fails("data: /d\nsteps: 10\nname: [unclosed\nseed: 3\n");

        var error = Single(e);
        Assert.Equal("job.yaml", error.Source);
        Assert.InRange(error.Line, 3, 5);
        Assert.StartsWith("YAML syntax error: ", error.Message);
        Assert.DoesNotContain("Idx:", error.Message);
    }

    [Fact]
    public void Malformed_json_is_one_syntax_error_with_its_line()
    {
        var e = Fails("{\n  \"data\": \"/d\",\n  \"steps\": 10\n  \"seed\": 1\n}\n", JobSpecFormat.Json, "job.json");

        var error = Single(e);
        Assert.Equal(("job.json", 4), (error.Source, error.Line));
        Assert.StartsWith("JSON syntax error: ", error.Message);
        Assert.DoesNotContain("BytePositionInLine", error.Message);
    }

    [Fact]
    public void Json_errors_carry_the_lines_of_their_keys()
    {
        var e = Fails("{\n  \"data\": \"/d\",\n  \"steps\": \"10\",\n  // a comment\n  \"batch\": 4,\n}\n", JobSpecFormat.Json, "job.json");

        Assert.Contains(e.Errors, x => x is { Line: 3, Key: "steps" } && x.Message.Contains("whole number, got text '10'"));
        Assert.Contains(e.Errors, x => x is { Line: 5, Key: "batch" } && x.Message.Contains("did you mean 'batch_size'?"));
    }

    [Theory]
    [InlineData("", JobSpecFormat.Yaml, "empty")]
    [InlineData("   \n", JobSpecFormat.Yaml, "empty")]
    [InlineData("- a\n- b\n", JobSpecFormat.Yaml, "mapping")]
    [InlineData("", JobSpecFormat.Json, "empty")]
    [InlineData("[1, 2]", JobSpecFormat.Json, "JSON object")]
    public void Empty_or_non_mapping_files_are_rejected(string text, JobSpecFormat format, string message) =>
        Assert.Contains(message, Single(Fails(text, format)).Message);

    [Fact]
    public void ReadFile_chooses_format_by_extension_resolves_data_against_the_file_and_names_the_job_after_it()
    {
        var folder = Directory.CreateTempSubdirectory("palette-spec-");
        try
        {
            var path = Path.Combine(folder.FullName, "night-run.json");
            File.WriteAllText(path, """{"data": "images", "steps": 5}""");

            var spec = JobSpecReader.ReadFile(path);

            Assert.Equal(Path.Combine(folder.FullName, "images"), spec.Data);
            Assert.Equal("night-run", spec.Name);

            var broken = Path.Combine(folder.FullName, "broken.yml");
            File.WriteAllText(broken, "data: /d\nsteps: 10\nloss: l9\n");
            var e = Assert.Throws<JobSpecException>(() => JobSpecReader.ReadFile(broken));
            Assert.Contains("broken.yml:3: loss:", e.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Canonical_json_reads_back_to_the_same_spec()
    {
        var spec = JobSpecReader.Read(FullYaml, "job.yaml");

        var json = JobSpecWriter.ToJson(spec);

        Assert.Equal(spec, JobSpecReader.Read(json, "canonical.json", JobSpecFormat.Json));
        Assert.Contains("\"learning_rate\": 0.0002", json);
        Assert.Contains("\"grad_clip\": 1.5", json);
        Assert.Equal(JobSpecKeys.All, System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name));
        var noClip = JobSpecReader.Read(JobSpecWriter.ToJson(spec with { Recipe = spec.Recipe with { GradClip = null } }), "c.json", JobSpecFormat.Json);
        Assert.Null(noClip.Recipe.GradClip);
    }

    [Fact]
    public void DataPathValidator_accepts_an_existing_folder_and_rejects_missing_files_and_relative_paths()
    {
        var validator = new DataPathValidator();
        var folder = Directory.CreateTempSubdirectory("palette-data-");
        try
        {
            var file = Path.Combine(folder.FullName, "a.png");
            File.WriteAllBytes(file, [1]);

            Assert.Empty(validator.Validate(new JobSpec { Data = folder.FullName }));
            Assert.Contains("is a file", Assert.Single(validator.Validate(new JobSpec { Data = file })));
            Assert.Contains("does not exist", Assert.Single(validator.Validate(new JobSpec { Data = Path.Combine(folder.FullName, "none") })));
            Assert.Contains("relative path", Assert.Single(validator.Validate(new JobSpec { Data = "images" })));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void DataPathValidator_checks_a_blob_store_location_for_syntax_only()
    {
        var validator = new DataPathValidator();
        // No connection string is needed on the API host: workers bring their own.
        Assert.Empty(validator.Validate(new JobSpec { Data = "azure:palette-shards/photos" }));
        Assert.Empty(validator.Validate(new JobSpec { Data = "UseDevelopmentStorage=true" }));
        var bad = Assert.Single(validator.Validate(new JobSpec { Data = "azure:Bad_Container" }));
        Assert.StartsWith("data: ", bad);
        Assert.Contains("Bad_Container", bad);
    }
}
