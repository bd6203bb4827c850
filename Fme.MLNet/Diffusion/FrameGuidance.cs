using System.Runtime.CompilerServices;
using System.Numerics;

namespace Fme.MLNet.Diffusion;

/// <summary>
/// Classifier-free guidance (Ho and Salimans 2022) with one scale per video frame, as Stable Video Diffusion
/// uses it: the scale rises linearly from the first frame to the last.
/// </summary>
public static class FrameGuidance
{
    /// <summary>
    /// Whether guidance is on: the reference pipeline runs the unconditional branch only when the maximum
    /// scale exceeds 1.
    /// </summary>
    /// <param name="maxGuidanceScale">The scale of the last frame.</param>
    public static bool IsEnabled(float maxGuidanceScale) => maxGuidanceScale > 1f;

    /// <summary>
    /// Per-frame scales, <c>torch.linspace(min, max, frames)</c> in float32 (the first half counted up from
    /// <paramref name="min"/>, the second half down from <paramref name="max"/>, as PyTorch does).
    /// </summary>
    /// <param name="min">Scale of the first frame.</param>
    /// <param name="max">Scale of the last frame.</param>
    /// <param name="frames">Number of frames, at least 1.</param>
    public static float[] FrameScales(float min, float max, int frames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            throw new ArgumentException($"Guidance scales must be finite; found min {min}, max {max}.", float.IsFinite(min) ? nameof(max) : nameof(min));
        }
        return Linspace.Float32(min, max, frames);
    }

    /// <summary>
    /// Combines the two halves of a guided network output: for batch item b and frame f,
    /// result = uncond + scale_f * (cond - uncond), in float32 in that operation order.
    /// </summary>
    /// <param name="modelOutput">
    /// The network output for the doubled batch, [2B, F, C, h, w]: the unconditional half (B items) first.
    /// </param>
    /// <param name="batch">B, the batch size before doubling.</param>
    /// <param name="frameScales">One scale per frame (F values), e.g. from <see cref="FrameScales"/>.</param>
    /// <param name="destination">Receives the guided output, [B, F, C, h, w]; it may not overlap <paramref name="modelOutput"/>
    /// except by being exactly its first half.</param>
    public static void Combine(ReadOnlySpan<float> modelOutput, int batch, ReadOnlySpan<float> frameScales, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var frames = frameScales.Length;
        if (frames == 0)
        {
            throw new ArgumentException("frameScales is empty; pass one scale per frame.", nameof(frameScales));
        }
        var blocks = 2L * batch * frames;
        if (modelOutput.Length == 0 || modelOutput.Length % blocks != 0)
        {
            throw new ArgumentException(
                $"modelOutput has {modelOutput.Length} values, not a positive multiple of 2 * batch * frames = {blocks} " +
                $"(shape [2B, F, C, h, w] with B = {batch}, F = {frames}).", nameof(modelOutput));
        }
        var half = modelOutput.Length / 2;
        if (destination.Length != half)
        {
            throw new ArgumentException($"destination has {destination.Length} values; expected half the model output, {half}.", nameof(destination));
        }
        if (modelOutput.Overlaps(destination, out var offset) && offset != 0)
        {
            throw new ArgumentException($"destination overlaps modelOutput at an offset of {offset} values.", nameof(destination));
        }
        var perFrame = (int)(half / (batch * frames));
        for (var block = 0; block < batch * frames; block++)
        {
            var start = block * perFrame;
            Blend(modelOutput.Slice(start, perFrame), modelOutput.Slice(half + start, perFrame),
                frameScales[block % frames], destination.Slice(start, perFrame));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blend(ReadOnlySpan<float> uncond, ReadOnlySpan<float> cond, float scale, Span<float> result)
    {
        var i = 0;
        for (; i <= uncond.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var u = new Vector<float>(uncond[i..]);
            (u + scale * (new Vector<float>(cond[i..]) - u)).CopyTo(result[i..]);
        }
        for (; i < uncond.Length; i++)
        {
            result[i] = uncond[i] + scale * (cond[i] - uncond[i]);
        }
    }
}
