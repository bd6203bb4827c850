using System.Text.Json.Nodes;
using Fme.MLNet.Diffusion;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Diffusion;

/// <summary>Reading scheduler_config.json and refusing what the scheduler cannot do.</summary>
public class SchedulerConfigTests
{
    // The file as it ships with stabilityai/stable-video-diffusion-img2vid(-xt), including fields the scheduler ignores.
    private const string SvdJson = """
        {
          "_class_name": "EulerDiscreteScheduler",
          "_diffusers_version": "0.24.0.dev0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "clip_sample": false,
          "interpolation_type": "linear",
          "num_train_timesteps": 1000,
          "prediction_type": "v_prediction",
          "set_alpha_to_one": false,
          "sigma_max": 700.0,
          "sigma_min": 0.002,
          "skip_prk_steps": true,
          "steps_offset": 1,
          "timestep_spacing": "leading",
          "timestep_type": "continuous",
          "trained_betas": null,
          "use_karras_sigmas": true
        }
        """;

    [Fact]
    public void FromConfigFileReadsTheSvdConfig()
    {
        using var dir = new TempFolder();
        var path = dir.File("scheduler_config.json");
        File.WriteAllText(path, SvdJson);
        var scheduler = EulerDiscreteScheduler.FromConfigFile(path);
        Assert.Equal(EulerDiscreteSchedulerConfig.StableVideoDiffusion, scheduler.Config);
        scheduler.SetTimesteps(25);
        var reference = new EulerDiscreteScheduler(EulerDiscreteSchedulerConfig.StableVideoDiffusion);
        reference.SetTimesteps(25);
        Assert.Equal(reference.Sigmas, scheduler.Sigmas);
        Assert.Equal(reference.Timesteps, scheduler.Timesteps);
    }

    [Theory]
    [InlineData("prediction_type", "\"flow\"", "'flow'", "'v_prediction'")]
    [InlineData("interpolation_type", "\"log_linear\"", "'log_linear'", "'linear'")]
    [InlineData("timestep_spacing", "\"even\"", "'even'", "'trailing'")]
    [InlineData("timestep_type", "\"fractional\"", "'fractional'", "'continuous'")]
    [InlineData("final_sigmas_type", "\"one\"", "'one'", "'sigma_min'")]
    [InlineData("beta_schedule", "\"cosine\"", "'cosine'", "'scaled_linear'")]
    [InlineData("use_beta_sigmas", "true", "true", "use_karras_sigmas")]
    [InlineData("use_exponential_sigmas", "true", "true", "cannot be combined")]
    [InlineData("sigma_max", "0.001", "0.001", "greater than sigma_min")]
    [InlineData("num_train_timesteps", "1", "1", "at least 2")]
    public void UnsupportedValuesNameFieldValueAndAlternatives(string field, string json, string shown, string hint)
    {
        using var dir = new TempFolder();
        var path = dir.File("scheduler_config.json");
        var node = JsonNode.Parse(SvdJson)!.AsObject();
        node[field] = JsonNode.Parse(json);
        File.WriteAllText(path, node.ToJsonString());
        var e = Assert.Throws<SchedulerConfigException>(() => EulerDiscreteScheduler.FromConfigFile(path));
        Assert.Equal(field, e.Field);
        Assert.Equal(path, e.ConfigSource);
        Assert.Contains(path, e.Message);
        Assert.Contains($"'{field}'", e.Message);
        Assert.Contains(shown, e.Message);
        Assert.Contains(hint, e.Message);
    }

    [Fact]
    public void MalformedJsonNamesTheFileAndField()
    {
        using var dir = new TempFolder();
        var path = dir.File("scheduler_config.json");
        File.WriteAllText(path, SvdJson.Replace("\"steps_offset\": 1", "\"steps_offset\": \"one\""));
        var e = Assert.Throws<SchedulerConfigException>(() => EulerDiscreteScheduler.FromConfigFile(path));
        Assert.Contains(path, e.Message);
        Assert.Equal("steps_offset", e.Field);

        File.WriteAllText(path, "{ not json");
        Assert.Throws<SchedulerConfigException>(() => EulerDiscreteScheduler.FromConfigFile(path));
        Assert.Throws<FileNotFoundException>(() => EulerDiscreteScheduler.FromConfigFile(dir.File("absent.json")));
    }

    [Fact]
    public void TrainedBetasMustCoverTheTrainingSteps()
    {
        var config = new EulerDiscreteSchedulerConfig { NumTrainTimesteps = 4, TrainedBetas = [0.1, 0.2, 0.3] };
        var e = Assert.Throws<SchedulerConfigException>(() => new EulerDiscreteScheduler(config));
        Assert.Equal("trained_betas", e.Field);
        Assert.Contains("num_train_timesteps = 4", e.Message);

        var ok = new EulerDiscreteScheduler(config with { TrainedBetas = [0.1, 0.2, 0.3, 0.4] });
        ok.SetTimesteps(4);
        // linspace spacing over 4 training steps gives timesteps 3, 2, 1, 0 and the training sigmas themselves.
        var product = 1.0;
        var sigmas = new[] { 0.1, 0.2, 0.3, 0.4 }.Select(b => { product *= 1 - b; return Math.Sqrt((1 - product) / product); }).Reverse().ToArray();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(sigmas[i], ok.Sigmas[i], 1e-5);
        }
    }
}
