using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fme.MLNet.Imaging;

/// <summary>
/// One-dimensional convolutions with an odd, centred kernel and reflect padding, along rows (x) or columns (y) of
/// planar float images. Interior pixels are vectorised; the few border pixels read mirrored indices.
/// </summary>
internal static unsafe class SeparableBlur
{
    /// <summary>Blurs each of <paramref name="rows"/> rows of <paramref name="width"/> values along x.</summary>
    public static void AlongX(ReadOnlySpan<float> input, Span<float> output, int rows, int width, float[] taps)
    {
        fixed (float* source = input)
        fixed (float* target = output)
        {
            nint s = (nint)source, t = (nint)target;
            ParallelRows.For(rows, (long)rows * width * taps.Length,
                r => Row((float*)s + (long)r * width, (float*)t + (long)r * width, width, taps));
        }
    }

    /// <summary>Blurs <paramref name="planes"/> planes of height x width values along y.</summary>
    public static void AlongY(ReadOnlySpan<float> input, Span<float> output, int planes, int height, int width, float[] taps)
    {
        fixed (float* source = input)
        fixed (float* target = output)
        {
            nint s = (nint)source, t = (nint)target;
            ParallelRows.For(planes * height, (long)planes * height * width * taps.Length, pr =>
            {
                var (plane, y) = Math.DivRem(pr, height);
                var planeStart = (float*)s + (long)plane * height * width;
                var rowStarts = stackalloc nint[taps.Length];
                for (var k = 0; k < taps.Length; k++)
                {
                    rowStarts[k] = (nint)(planeStart + (long)AntialiasedResize.Reflect(y - taps.Length / 2 + k, height) * width);
                }
                Column(rowStarts, (float*)t + (long)pr * width, width, taps);
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(float* source, float* target, int width, float[] taps)
    {
        var radius = taps.Length / 2;
        var x = 0;
        var interiorEnd = width - radius;
        for (; x < Math.Min(radius, width); x++)
        {
            target[x] = Mirrored(source, x, width, taps);
        }
        for (; x <= interiorEnd - Vector<float>.Count; x += Vector<float>.Count)
        {
            var sum = Vector<float>.Zero;
            var first = source + x - radius;
            for (var k = 0; k < taps.Length; k++)
            {
                sum += taps[k] * Unsafe.ReadUnaligned<Vector<float>>(first + k);
            }
            Unsafe.WriteUnaligned(target + x, sum);
        }
        for (; x < width; x++)
        {
            target[x] = x < interiorEnd ? Direct(source + x - radius, taps) : Mirrored(source, x, width, taps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Direct(float* first, float[] taps)
    {
        var sum = 0f;
        for (var k = 0; k < taps.Length; k++)
        {
            sum += taps[k] * first[k];
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Mirrored(float* source, int x, int width, float[] taps)
    {
        var sum = 0f;
        for (var k = 0; k < taps.Length; k++)
        {
            sum += taps[k] * source[AntialiasedResize.Reflect(x - taps.Length / 2 + k, width)];
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Column(nint* rows, float* target, int width, float[] taps)
    {
        var x = 0;
        for (; x <= width - Vector<float>.Count; x += Vector<float>.Count)
        {
            var sum = Vector<float>.Zero;
            for (var k = 0; k < taps.Length; k++)
            {
                sum += taps[k] * Unsafe.ReadUnaligned<Vector<float>>((float*)rows[k] + x);
            }
            Unsafe.WriteUnaligned(target + x, sum);
        }
        for (; x < width; x++)
        {
            var sum = 0f;
            for (var k = 0; k < taps.Length; k++)
            {
                sum += taps[k] * ((float*)rows[k])[x];
            }
            target[x] = sum;
        }
    }
}
