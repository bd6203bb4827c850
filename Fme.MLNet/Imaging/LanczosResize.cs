using System.Runtime.CompilerServices;

namespace Fme.MLNet.Imaging;

/// <summary>
/// Lanczos (a = 3) resampling of 8-bit RGB with the arithmetic of Pillow's <c>Image.resize(..., LANCZOS)</c>, so the
/// VAE conditioning image matches the reference pipeline's byte for byte.
/// </summary>
/// <remarks>
/// Per axis, with scale = in / out and stretch = max(scale, 1) (the window widens when shrinking, which
/// antialiases): output i is centred on input position (i + 0.5) scale; the taps run over the input pixels j in
/// [int(centre - 3 stretch + 0.5), int(centre + 3 stretch + 0.5)) clipped to the image, with weight
/// lanczos((j - centre + 0.5) / stretch) normalised to sum 1 in float64, then rounded to 22-bit fixed point.
/// The horizontal pass runs first and rounds and clips its result to 8 bits; the vertical pass reads that. An axis
/// whose size does not change is not resampled.
/// </remarks>
internal static class LanczosResize
{
    private const int PrecisionBits = 32 - 8 - 2; // 8 bits of pixel, 2 bits of headroom for overshooting weights
    private const double Support = 3.0;

    public static byte[] Resize(byte[] rgb, int width, int height, int outputWidth, int outputHeight)
    {
        var current = rgb;
        if (outputWidth != width)
        {
            var (bounds, weights, taps) = Coefficients(width, outputWidth);
            var across = new byte[height * outputWidth * 3];
            ParallelRows.For(height, (long)height * outputWidth * taps * 3, y =>
            {
                var source = current.AsSpan(y * width * 3, width * 3);
                var target = across.AsSpan(y * outputWidth * 3, outputWidth * 3);
                for (var x = 0; x < outputWidth; x++)
                {
                    var k = weights.AsSpan(x * taps, bounds[2 * x + 1]);
                    Pixel(source[(bounds[2 * x] * 3)..], 3, k, target.Slice(x * 3, 3));
                }
            });
            current = across;
        }
        if (outputHeight != height)
        {
            var (bounds, weights, taps) = Coefficients(height, outputHeight);
            var rowBytes = outputWidth * 3;
            var down = new byte[outputHeight * rowBytes];
            ParallelRows.For(outputHeight, (long)outputHeight * rowBytes * taps, y =>
            {
                var k = weights.AsSpan(y * taps, bounds[2 * y + 1]);
                var target = down.AsSpan(y * rowBytes, rowBytes);
                for (var x = 0; x < outputWidth; x++)
                {
                    Pixel(current.AsSpan(bounds[2 * y] * rowBytes + x * 3), rowBytes, k, target.Slice(x * 3, 3));
                }
            });
            current = down;
        }
        return ReferenceEquals(current, rgb) ? (byte[])rgb.Clone() : current;
    }

    /// <summary>One output pixel: three channels summed over taps <paramref name="stride"/> bytes apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pixel(ReadOnlySpan<byte> first, int stride, ReadOnlySpan<int> k, Span<byte> target)
    {
        int r = 1 << (PrecisionBits - 1), g = r, b = r; // start at one half, so the shift below rounds
        for (int t = 0, at = 0; t < k.Length; t++, at += stride)
        {
            r += first[at] * k[t];
            g += first[at + 1] * k[t];
            b += first[at + 2] * k[t];
        }
        target[0] = Clip(r);
        target[1] = Clip(g);
        target[2] = Clip(b);
    }

    private static byte Clip(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    /// <summary>Per output pixel: first input index and tap count (in <c>Bounds</c>), and fixed-point weights.</summary>
    internal static (int[] Bounds, int[] Weights, int Taps) Coefficients(int inputSize, int outputSize)
    {
        var scale = (double)inputSize / outputSize;
        var stretch = Math.Max(scale, 1.0);
        var support = Support * stretch;
        var taps = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[2 * outputSize];
        var weights = new int[outputSize * taps];
        var k = new double[taps];
        for (var o = 0; o < outputSize; o++)
        {
            var centre = (o + 0.5) * scale;
            var first = Math.Max((int)(centre - support + 0.5), 0);
            var count = Math.Min((int)(centre + support + 0.5), inputSize) - first;
            var total = 0.0;
            var inverse = 1.0 / stretch; // multiplying by the reciprocal, as Pillow does, keeps the weights bit-identical
            for (var t = 0; t < count; t++)
            {
                k[t] = Lanczos((t + first - centre + 0.5) * inverse);
                total += k[t];
            }
            for (var t = 0; t < count; t++)
            {
                var w = total != 0.0 ? k[t] / total : k[t];
                weights[o * taps + t] = (int)(w < 0 ? w * (1 << PrecisionBits) - 0.5 : w * (1 << PrecisionBits) + 0.5);
            }
            bounds[2 * o] = first;
            bounds[2 * o + 1] = count;
        }
        return (bounds, weights, taps);
    }

    // sinc(x) sinc(x / 3) on [-3, 3), zero outside.
    private static double Lanczos(double x)
    {
        static double Sinc(double v) => v == 0.0 ? 1.0 : Math.Sin(v * Math.PI) / (v * Math.PI);
        return x >= -Support && x < Support ? Sinc(x) * Sinc(x / Support) : 0.0;
    }
}
