using System.Globalization;
using System.Text;
using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>What the VAE encoder's output holds.</summary>
public enum VaeEncoderOutput
{
    /// <summary>2 x latent channels: the distribution's mean, then its log-variance; the pipeline takes the mean (the mode).</summary>
    Moments,

    /// <summary>Latent channels: the mode itself.</summary>
    Mode,
}

/// <summary>
/// An SVD model folder, validated and described without running anything:
/// <code>
/// image_encoder/  vae_encoder/  unet/  vae_decoder/   one .onnx each (any name, model.onnx by default) + external data
/// unet/config.json                        num_frames, in_channels, out_channels, cross_attention_dim
/// vae_decoder/config.json                 scaling_factor, latent_channels
/// scheduler/scheduler_config.json         EulerDiscreteScheduler's config
/// feature_extractor/preprocessor_config.json   image_mean, image_std, crop_size
/// </code>
/// Graphs are read with <see cref="OnnxModel.Load"/> (weights stay on disk); no session is created. Immutable.
/// </summary>
public sealed partial class SvdModelFolder
{
    private readonly IReadOnlyDictionary<SvdNetworkKind, SvdNetwork> _networks;

    private SvdModelFolder(string path, IReadOnlyDictionary<SvdNetworkKind, SvdNetwork> networks, SvdUnetConfig unet,
        SvdVaeConfig vae, ClipPreprocessorConfig clip, string schedulerConfigPath, VaeEncoderOutput encoderOutput)
    {
        FolderPath = path;
        _networks = networks;
        UnetConfig = unet;
        VaeConfig = vae;
        ClipConfig = clip;
        SchedulerConfigPath = schedulerConfigPath;
        EncoderOutput = encoderOutput;
    }

    /// <summary>Absolute path of the folder.</summary>
    public string FolderPath { get; }

    /// <summary>The CLIP image encoder.</summary>
    public SvdNetwork ImageEncoder => _networks[SvdNetworkKind.ImageEncoder];

    /// <summary>The VAE encoder.</summary>
    public SvdNetwork VaeEncoder => _networks[SvdNetworkKind.VaeEncoder];

    /// <summary>The UNet.</summary>
    public SvdNetwork Unet => _networks[SvdNetworkKind.Unet];

    /// <summary>The temporal VAE decoder.</summary>
    public SvdNetwork VaeDecoder => _networks[SvdNetworkKind.VaeDecoder];

    /// <summary>A network by kind.</summary>
    public SvdNetwork this[SvdNetworkKind kind] => _networks[kind];

    /// <summary>From <c>unet/config.json</c>.</summary>
    public SvdUnetConfig UnetConfig { get; }

    /// <summary>From <c>vae_decoder/config.json</c>.</summary>
    public SvdVaeConfig VaeConfig { get; }

    /// <summary>From <c>feature_extractor/preprocessor_config.json</c>.</summary>
    public ClipPreprocessorConfig ClipConfig { get; }

    /// <summary>Absolute path of <c>scheduler/scheduler_config.json</c> (read by the scheduler).</summary>
    public string SchedulerConfigPath { get; }

    /// <summary>What the VAE encoder's output holds (from its channel count).</summary>
    public VaeEncoderOutput EncoderOutput { get; }

    /// <summary>Opens and validates a model folder: every file present, every graph's inputs and outputs, every config.</summary>
    /// <exception cref="ModelFolderException">Something is missing, unreadable, or disagrees with something else.</exception>
    public static SvdModelFolder Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new ModelFolderException(root,
                "model folder not found; expected a folder holding image_encoder/, vae_encoder/, unet/, vae_decoder/, scheduler/ and feature_extractor/.");
        }
        var networks = SvdNetworkKinds.All.ToDictionary(k => k, k => LoadNetwork(root, k));
        var unet = SvdUnetConfig.Read(Path.Combine(root, "unet", "config.json"));
        var vae = SvdVaeConfig.Read(Path.Combine(root, "vae_decoder", "config.json"));
        var clip = ClipPreprocessorConfig.Read(Path.Combine(root, "feature_extractor", "preprocessor_config.json"));
        var scheduler = Path.Combine(root, "scheduler", "scheduler_config.json");
        CheckScheduler(scheduler);
        var encoderOutput = CheckAgreement(networks, unet, vae, clip);
        return new SvdModelFolder(root, networks, unet, vae, clip, scheduler, encoderOutput);
    }

    /// <summary>A multi-line description of what was found: files, tensors, configs.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"SVD model folder {FolderPath}\n");
        foreach (var kind in SvdNetworkKinds.All)
        {
            text.Append(_networks[kind].Describe());
        }
        var u = UnetConfig;
        text.Append(CultureInfo.InvariantCulture,
            $"unet config: num_frames {u.NumFrames}, in_channels {u.InChannels}, out_channels {u.OutChannels}, cross_attention_dim {u.CrossAttentionDim?.ToString(CultureInfo.InvariantCulture) ?? "(not given)"}\n");
        text.Append(CultureInfo.InvariantCulture, $"vae config: scaling_factor {VaeConfig.ScalingFactor}, latent_channels {VaeConfig.LatentChannels}\n");
        text.Append(EncoderOutput == VaeEncoderOutput.Moments
            ? $"vae_encoder output: {2 * VaeConfig.LatentChannels} moment channels (the pipeline takes the mode, the first {VaeConfig.LatentChannels})\n"
            : $"vae_encoder output: the mode ({VaeConfig.LatentChannels} channels)\n");
        text.Append(CultureInfo.InvariantCulture,
            $"feature_extractor: image_mean [{string.Join(", ", ClipConfig.ImageMean)}], image_std [{string.Join(", ", ClipConfig.ImageStd)}], crop_size {ClipConfig.CropSize}\n");
        text.Append($"scheduler: {SchedulerConfigPath}\n");
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"SVD model folder {FolderPath}";

    private static SvdNetwork LoadNetwork(string root, SvdNetworkKind kind)
    {
        var folder = Path.Combine(root, kind.FolderName());
        var expected = $"expected '{kind.FolderName()}/' holding one .onnx file (model.onnx by default) and its external data";
        if (!Directory.Exists(folder))
        {
            throw new ModelFolderException(folder, $"missing network folder; {expected}.");
        }
        var files = Directory.GetFiles(folder, "*.onnx").Order(StringComparer.Ordinal).ToList();
        var path = files.Count switch
        {
            0 => throw new ModelFolderException(folder, $"no .onnx file; {expected}."),
            1 => files[0],
            _ => files.FirstOrDefault(f => Path.GetFileName(f) == TinySvd.ModelFileName)
                 ?? throw new ModelFolderException(folder,
                     $"{files.Count} .onnx files ({string.Join(", ", files.Select(Path.GetFileName))}) and none named model.onnx; {expected}."),
        };
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(path);
        }
        catch (OnnxFormatException e)
        {
            throw new ModelFolderException(path, $"cannot be read as an ONNX model: {e.Message}", e);
        }
        return NetworkSignature.For(kind).Match(model, path);
    }
}
