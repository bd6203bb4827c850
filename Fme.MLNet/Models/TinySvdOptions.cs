namespace Fme.MLNet.Models;

/// <summary>How the UNet of the tiny model set meets its callers.</summary>
public enum TinyUnetLayout
{
    /// <summary>
    /// As community converters write it: float32 inputs and output (a float16 set casts at the boundary), output
    /// <c>out_sample</c>, external data in <c>model.onnx.data</c>.
    /// </summary>
    Diffusers,

    /// <summary>
    /// As Stability's TensorRT release of SVD-XT 1.1 writes it: float16 inside and at the boundary (<c>sample</c>,
    /// <c>encoder_hidden_states</c>, <c>added_time_ids</c> and the output <c>latent</c>; <c>timestep</c> stays float32),
    /// external data in one file with a UUID-like name.
    /// </summary>
    TensorRt,
}

/// <summary>Settings of the generated SVD model set: the tiny one by default, or SVD's real widths (<see cref="Preset"/>).</summary>
public sealed record TinySvdOptions
{
    /// <summary>Seed of the random weights (default 0). The same seed and settings give byte-identical files.</summary>
    public int Seed { get; init; }

    /// <summary>Float16 weights and arithmetic inside every network, float32 inputs and outputs (default false).</summary>
    public bool Float16 { get; init; }

    /// <summary>Frames per video, written to <c>unet/config.json</c> (default 14, as SVD). The graphs accept any count.</summary>
    public int NumFrames { get; init; } = 14;

    /// <summary>Boundary layout of the UNet (default <see cref="TinyUnetLayout.Diffusers"/>).</summary>
    public TinyUnetLayout UnetLayout { get; init; } = TinyUnetLayout.Diffusers;

    /// <summary>
    /// Widths of the networks (default <see cref="SvdSizePreset.Tiny"/>). <see cref="SvdSizePreset.Svd"/> writes several GB:
    /// use <see cref="TinySvd.EnsureCached"/> (its own cache folder) and <see cref="Float16"/>.
    /// </summary>
    public SvdSizePreset Preset { get; init; } = SvdSizePreset.Tiny;

    /// <summary>The widths of <see cref="Preset"/>.</summary>
    internal SvdSizes Sizes => SvdSizes.For(Preset);

    /// <summary>Throws when a setting is out of range.</summary>
    internal void Validate()
    {
        if (NumFrames < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(NumFrames), NumFrames, "NumFrames must be at least 1.");
        }
        if (!Enum.IsDefined(Preset))
        {
            throw new ArgumentOutOfRangeException(nameof(Preset), Preset, "Unknown size preset.");
        }
        if (!Enum.IsDefined(UnetLayout))
        {
            throw new ArgumentOutOfRangeException(nameof(UnetLayout), UnetLayout, "Unknown UNet layout.");
        }
    }
}
