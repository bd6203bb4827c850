using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fme.MLNet.Models;

/// <summary>The JSON configs of the tiny model set, with diffusers' and transformers' field names.</summary>
internal static class TinySvdConfigs
{
    /// <summary>Name of the file that records how a tiny folder was made.</summary>
    public const string MarkerFileName = "tiny_svd.json";

    /// <summary>Bumped whenever the tiny networks change, so cached folders of an older make are rewritten.</summary>
    public const int Version = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NewLine = "\n" };

    public static void Write(string folder, TinySvdOptions options)
    {
        Save(folder, "scheduler/scheduler_config.json", Scheduler());
        Save(folder, "unet/config.json", Unet(options, options.Sizes));
        Save(folder, "vae_encoder/config.json", Vae(options.Sizes));
        Save(folder, "vae_decoder/config.json", Vae(options.Sizes));
        Save(folder, "image_encoder/config.json", ImageEncoder(options.Sizes));
        Save(folder, "feature_extractor/preprocessor_config.json", Preprocessor());
        Save(folder, MarkerFileName, Marker(options));
    }

    /// <summary>The marker's content for these options; a cached folder is reused only when its marker equals it.</summary>
    public static JsonObject Marker(TinySvdOptions options)
    {
        var marker = new JsonObject
        {
            ["tiny_svd_version"] = Version,
            ["seed"] = options.Seed,
            ["float16"] = options.Float16,
            ["num_frames"] = options.NumFrames,
            ["unet_layout"] = options.UnetLayout.ToString(),
        };
        if (options.Preset != SvdSizePreset.Tiny)
        {
            marker["size_preset"] = options.Preset.ToString(); // absent for the tiny set, whose marker predates presets
        }
        return marker;
    }

    /// <summary>The marker as written to disk.</summary>
    public static string MarkerText(TinySvdOptions options) => Marker(options).ToJsonString(Indented) + "\n";

    private static void Save(string folder, string relative, JsonObject json)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json.ToJsonString(Indented) + "\n");
    }

    // EulerDiscreteScheduler as SVD configures it (docs/svd-algorithm.md, "Scheduler").
    private static JsonObject Scheduler() => new()
    {
        ["_class_name"] = "EulerDiscreteScheduler",
        ["beta_end"] = 0.012,
        ["beta_schedule"] = "scaled_linear",
        ["beta_start"] = 0.00085,
        ["final_sigmas_type"] = "zero",
        ["interpolation_type"] = "linear",
        ["num_train_timesteps"] = 1000,
        ["prediction_type"] = "v_prediction",
        ["rescale_betas_zero_snr"] = false,
        ["sigma_max"] = 700.0,
        ["sigma_min"] = 0.002,
        ["steps_offset"] = 1,
        ["timestep_spacing"] = "leading",
        ["timestep_type"] = "continuous",
        ["trained_betas"] = null,
        ["use_karras_sigmas"] = true,
    };

    private static JsonObject Unet(TinySvdOptions options, SvdSizes s) => new()
    {
        ["_class_name"] = "UNetSpatioTemporalConditionModel",
        ["addition_time_embed_dim"] = s.AdditionTimeEmbedDim,
        ["block_out_channels"] = Array(s.UnetChannels),
        ["cross_attention_dim"] = s.CrossAttentionDim,
        ["down_block_types"] = new JsonArray("CrossAttnDownBlockSpatioTemporal", "CrossAttnDownBlockSpatioTemporal",
            "CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        ["in_channels"] = s.UnetInChannels,
        ["layers_per_block"] = s.LayersPerBlock,
        ["num_attention_heads"] = Array(s.UnetHeads),
        ["num_frames"] = options.NumFrames,
        ["out_channels"] = s.LatentChannels,
        ["projection_class_embeddings_input_dim"] = s.AddedTimeIds * s.AdditionTimeEmbedDim,
        ["sample_size"] = s.UnetSampleSize,
        ["transformer_layers_per_block"] = 1,
        ["up_block_types"] = new JsonArray("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal",
            "CrossAttnUpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
    };

    private static JsonObject Vae(SvdSizes s) => new()
    {
        ["_class_name"] = "AutoencoderKLTemporalDecoder",
        ["block_out_channels"] = Array(s.VaeChannels),
        ["in_channels"] = 3,
        ["latent_channels"] = s.LatentChannels,
        ["layers_per_block"] = s.LayersPerBlock,
        ["out_channels"] = 3,
        ["sample_size"] = s.VaeSampleSize,
        ["scaling_factor"] = 0.18215,
    };

    private static JsonObject ImageEncoder(SvdSizes s) => new()
    {
        ["architectures"] = new JsonArray("CLIPVisionModelWithProjection"),
        ["hidden_act"] = "gelu",
        ["hidden_size"] = s.ClipHidden,
        ["image_size"] = s.ClipImage,
        ["intermediate_size"] = s.ClipIntermediate,
        ["layer_norm_eps"] = 1e-05,
        ["model_type"] = "clip_vision_model",
        ["num_attention_heads"] = s.ClipHeads,
        ["num_channels"] = 3,
        ["num_hidden_layers"] = s.ClipLayers,
        ["patch_size"] = s.ClipPatch,
        ["projection_dim"] = s.CrossAttentionDim,
    };

    // CLIPImageProcessor as SVD ships it; mean and std are CLIP's (docs/svd-algorithm.md, "Image preprocessing").
    private static JsonObject Preprocessor() => new()
    {
        ["crop_size"] = new JsonObject { ["height"] = 224, ["width"] = 224 },
        ["do_center_crop"] = true,
        ["do_convert_rgb"] = true,
        ["do_normalize"] = true,
        ["do_rescale"] = true,
        ["do_resize"] = true,
        ["feature_extractor_type"] = "CLIPFeatureExtractor",
        ["image_mean"] = new JsonArray(0.48145466, 0.4578275, 0.40821073),
        ["image_processor_type"] = "CLIPImageProcessor",
        ["image_std"] = new JsonArray(0.26862954, 0.26130258, 0.27577711),
        ["resample"] = 3,
        ["rescale_factor"] = 0.00392156862745098,
        ["size"] = new JsonObject { ["shortest_edge"] = 224 },
    };

    private static JsonArray Array(long[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
