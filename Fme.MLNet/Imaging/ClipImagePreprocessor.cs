using System.Buffers;

namespace Fme.MLNet.Imaging;

/// <summary>
/// Prepares the image-encoder (CLIP) input as Stable Video Diffusion does: RGB in [0, 1] -> [-1, 1] ->
/// <see cref="AntialiasedResize"/> to Size x Size -> back to [0, 1] -> (x - mean) / std per channel, float32.
/// </summary>
/// <remarks>
/// The image is stretched to a square, not cropped, as in the reference pipeline. Settings are checked once, here.
/// Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class ClipImagePreprocessor
{
    /// <summary>Creates a preprocessor.</summary>
    /// <param name="size">Output side in pixels; CLIP ViT-H/14 takes 224.</param>
    /// <param name="mean">Per-channel mean (R, G, B); null for <see cref="ClipMean"/>.</param>
    /// <param name="std">Per-channel standard deviation (R, G, B), all positive; null for <see cref="ClipStd"/>.</param>
    public ClipImagePreprocessor(int size = 224, IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Mean = CheckTriple(mean ?? ClipMean, nameof(mean), positive: false);
        Std = CheckTriple(std ?? ClipStd, nameof(std), positive: true);
        Size = size;
    }

    /// <summary>OpenAI CLIP's channel means (R, G, B).</summary>
    public static IReadOnlyList<float> ClipMean { get; } = [0.48145466f, 0.4578275f, 0.40821073f];

    /// <summary>OpenAI CLIP's channel standard deviations (R, G, B).</summary>
    public static IReadOnlyList<float> ClipStd { get; } = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <summary>Output side in pixels.</summary>
    public int Size { get; }

    /// <summary>Per-channel mean subtracted last (R, G, B).</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-channel standard deviation divided by last (R, G, B).</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>The CLIP input for an 8-bit image: [1, 3, Size, Size].</summary>
    /// <param name="image">The image.</param>
    public ImageTensor Process(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Run(image.Height, image.Width, image,
            static (signed, source) => PixelConversion.ToPlanar(source.Pixels, PixelConversion.Signed, signed));
    }

    /// <summary>The CLIP input for a float image with values in [0, 1]: [1, 3, Size, Size].</summary>
    /// <param name="image">[1, 3, H, W] in [0, 1]; not changed.</param>
    public ImageTensor Process(ImageTensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Run(image.Height, image.Width, image, static (signed, source) =>
        {
            for (var i = 0; i < signed.Length; i++)
            {
                signed[i] = source.Data[i] * 2f - 1f;
            }
        });
    }

    // Fills a pooled [3, H, W] buffer with the image in [-1, 1], then resizes and normalises it.
    private ImageTensor Run<TSource>(int height, int width, TSource source, SpanAction<float, TSource> toSigned)
    {
        var count = 3 * height * width;
        var signed = ArrayPool<float>.Shared.Rent(count);
        try
        {
            toSigned(signed.AsSpan(0, count), source);
            return FromSigned(signed.AsSpan(0, count), height, width);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(signed);
        }
    }

    // signed is scratch: the resize overwrites it with its blur rather than holding a third full-size buffer.
    private ImageTensor FromSigned(Span<float> signed, int height, int width)
    {
        var result = new ImageTensor(new float[3 * Size * Size], Size, Size);
        AntialiasedResize.ResizeOverwriting(signed, 3, height, width, result.Data, Size, Size);
        for (var c = 0; c < 3; c++)
        {
            var plane = result.Plane(c);
            float mean = Mean[c], std = Std[c];
            for (var i = 0; i < plane.Length; i++)
            {
                plane[i] = ((plane[i] + 1f) / 2f - mean) / std;
            }
        }
        return result;
    }

    private static float[] CheckTriple(IReadOnlyList<float> values, string name, bool positive)
    {
        if (values.Count != 3 || values.Any(v => !float.IsFinite(v) || (positive && v <= 0)))
        {
            throw new ArgumentException(
                $"{name} must hold 3 finite{(positive ? " positive" : "")} values (R, G, B); found [{string.Join(", ", values)}].", name);
        }
        return [.. values];
    }
}
