using System.Buffers;

namespace Fme.MLNet.Imaging;

/// <summary>One axis's Gaussian pre-filter of <see cref="AntialiasedResize"/>.</summary>
/// <param name="Size">Number of taps, odd.</param>
/// <param name="Sigma">Standard deviation in input pixels (float32).</param>
/// <param name="Taps">The normalised weights, centred on the middle tap.</param>
public sealed record AntialiasKernel(int Size, float Sigma, IReadOnlyList<float> Taps);

/// <summary>
/// The resize Stable Video Diffusion applies before CLIP (diffusers' <c>_resize_with_antialiasing</c>): a separable
/// Gaussian blur whose width follows the scale factor, then bicubic interpolation (A = -0.75, corners aligned).
/// </summary>
/// <remarks>
/// Per axis: sigma = max((in / out - 1) / 2, 0.001); size = int(max(4 sigma, 3)), plus one if even; taps
/// exp(-x^2 / (2 sigma^2)) for x = -size/2 .. size/2, normalised to sum 1 (float32). The blur runs along x first,
/// then y, with reflect padding (mirror without repeating the edge). Bicubic sampling then maps output i to input
/// i (in - 1) / (out - 1), reading neighbours clamped to the border, x before y. Works on any number of planes.
/// </remarks>
public static class AntialiasedResize
{
    /// <summary>The Gaussian kernel for one axis resized from <paramref name="inputSize"/> to <paramref name="outputSize"/>.</summary>
    /// <param name="inputSize">Input length along the axis.</param>
    /// <param name="outputSize">Output length along the axis.</param>
    public static AntialiasKernel KernelFor(int inputSize, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        var sigma = Math.Max(((double)inputSize / outputSize - 1.0) / 2.0, 0.001);
        var size = (int)Math.Max(4.0 * sigma, 3);
        size += 1 - (size & 1);
        var sigma32 = (float)sigma;
        var taps = new float[size];
        var sum = 0f;
        for (var i = 0; i < size; i++)
        {
            float x = i - size / 2;
            taps[i] = MathF.Exp(-(x * x) / (2f * (sigma32 * sigma32)));
            sum += taps[i];
        }
        for (var i = 0; i < size; i++)
        {
            taps[i] /= sum;
        }
        return new AntialiasKernel(size, sigma32, taps);
    }

    /// <summary>Resizes planar float images: [planes, height, width] to [planes, outputHeight, outputWidth].</summary>
    /// <param name="input">planes x height x width values.</param>
    /// <param name="planes">Number of planes (3 for RGB).</param>
    /// <param name="height">Input rows.</param>
    /// <param name="width">Input columns.</param>
    /// <param name="output">Receives planes x outputHeight x outputWidth values; must not overlap the input.</param>
    /// <param name="outputHeight">Output rows.</param>
    /// <param name="outputWidth">Output columns.</param>
    public static void Resize(ReadOnlySpan<float> input, int planes, int height, int width,
        Span<float> output, int outputHeight, int outputWidth)
    {
        var blurred = ArrayPool<float>.Shared.Rent(input.Length);
        try
        {
            Resize(input, blurred.AsSpan(0, input.Length), planes, height, width, output, outputHeight, outputWidth);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(blurred);
        }
    }

    /// <summary>
    /// As <see cref="Resize(ReadOnlySpan{float}, int, int, int, Span{float}, int, int)"/>, overwriting
    /// <paramref name="input"/> with its blur: one full-size float buffer fewer, which for a large image is most of the peak.
    /// </summary>
    internal static void ResizeOverwriting(Span<float> input, int planes, int height, int width,
        Span<float> output, int outputHeight, int outputWidth) =>
        Resize(input, input, planes, height, width, output, outputHeight, outputWidth);

    // Blurs along x into a pooled buffer, along y into blurred (which may be the input: it is read only along x), then
    // samples bicubically.
    private static void Resize(ReadOnlySpan<float> input, Span<float> blurred, int planes, int height, int width,
        Span<float> output, int outputHeight, int outputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(planes, 1);
        var kx = KernelFor(width, outputWidth);
        var ky = KernelFor(height, outputHeight);
        var inputCount = (long)planes * height * width;
        if (input.Length != inputCount)
        {
            throw new ArgumentException($"input has {input.Length} values; [{planes}, {height}, {width}] needs {inputCount}.", nameof(input));
        }
        if (output.Length != (long)planes * outputHeight * outputWidth)
        {
            throw new ArgumentException($"output has {output.Length} values; [{planes}, {outputHeight}, {outputWidth}] needs {(long)planes * outputHeight * outputWidth}.", nameof(output));
        }
        if (input.Overlaps(output))
        {
            throw new ArgumentException("output overlaps input.", nameof(output));
        }
        var blurredX = ArrayPool<float>.Shared.Rent(input.Length);
        try
        {
            SeparableBlur.AlongX(input, blurredX, planes * height, width, kx.Taps.ToArray());
            SeparableBlur.AlongY(blurredX.AsSpan(0, input.Length), blurred, planes, height, width, ky.Taps.ToArray());
            BicubicResize.AlignCorners(blurred, planes, height, width, output, outputHeight, outputWidth);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(blurredX);
        }
    }

    /// <summary>Mirror index for reflect padding: -1 -> 1, n -> n - 2; repeats for pads wider than the axis.</summary>
    internal static int Reflect(int i, int n)
    {
        if (n == 1)
        {
            return 0;
        }
        var period = 2 * (n - 1);
        i %= period;
        if (i < 0)
        {
            i += period;
        }
        return i < n ? i : period - i;
    }
}
