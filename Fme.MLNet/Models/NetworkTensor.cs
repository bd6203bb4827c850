using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>An input or output of a network, as its graph declares it.</summary>
/// <param name="Role">The canonical role (<see cref="SvdTensorRoles"/>), the name diffusers' exports use.</param>
/// <param name="Name">The tensor's name in this graph.</param>
/// <param name="ElementType">The element type at the boundary (float16 or float32 for float roles; the pipeline converts).</param>
/// <param name="Dims">The axes, fixed or dynamic.</param>
public sealed record NetworkTensor(string Role, string Name, OnnxElementType ElementType, IReadOnlyList<TensorDim> Dims)
{
    /// <summary>Number of axes.</summary>
    public int Rank => Dims.Count;

    /// <summary>The shape as text, e.g. <c>[batch, num_frames, 8, height, width]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Dims) + "]";

    /// <summary>The size of an axis when fixed, else null.</summary>
    public long? FixedSize(int axis) => axis < Dims.Count ? Dims[axis].Value : null;

    /// <inheritdoc />
    public override string ToString() => $"'{Name}' {OnnxElementTypes.Name(ElementType)} {ShapeText}";
}

/// <summary>Canonical roles of network inputs and outputs: diffusers' export names.</summary>
public static class SvdTensorRoles
{
    /// <summary>UNet input (B, F, 8, h, w); VAE encoder input (B, 3, H, W); VAE decoder output (B*F, 3, H, W).</summary>
    public const string Sample = "sample";

    /// <summary>UNet input: the continuous timestep, [1] (or a scalar).</summary>
    public const string Timestep = "timestep";

    /// <summary>UNet input: the image embedding per video, (B, 1, D).</summary>
    public const string EncoderHiddenStates = "encoder_hidden_states";

    /// <summary>UNet input: (fps - 1, motion bucket, noise augmentation) per video, (B, 3).</summary>
    public const string AddedTimeIds = "added_time_ids";

    /// <summary>UNet output: the model output (v-prediction), (B, F, 4, h, w).</summary>
    public const string OutSample = "out_sample";

    /// <summary>VAE encoder output (moments or mode); VAE decoder input (B*F, 4, h, w).</summary>
    public const string LatentSample = "latent_sample";

    /// <summary>VAE decoder input: the frame count F (int64, [1] or a scalar).</summary>
    public const string NumFrames = "num_frames";

    /// <summary>Image encoder input (B, 3, 224, 224).</summary>
    public const string PixelValues = "pixel_values";

    /// <summary>Image encoder output (B, D).</summary>
    public const string ImageEmbeds = "image_embeds";
}
