using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fme.MLNet.Imaging;

/// <summary>
/// Bicubic interpolation with Keys' kernel (A = -0.75) and aligned corners (output i samples input
/// i (in - 1) / (out - 1)), neighbours clamped at the border; x is interpolated before y, as PyTorch does.
/// </summary>
internal static unsafe class BicubicResize
{
    private const float A = -0.75f;

    public static void AlignCorners(ReadOnlySpan<float> input, int planes, int height, int width,
        Span<float> output, int outputHeight, int outputWidth)
    {
        var (xIndex, xWeight) = Plan(width, outputWidth);
        var (yIndex, yWeight) = Plan(height, outputHeight);
        var rows = planes * height;
        var alongX = ArrayPool<float>.Shared.Rent(rows * outputWidth);
        try
        {
            fixed (float* source = input)
            fixed (float* across = alongX)
            fixed (float* target = output)
            {
                nint s = (nint)source, m = (nint)across, t = (nint)target;
                ParallelRows.For(rows, (long)rows * outputWidth * 4,
                    r => Across((float*)s + (long)r * width, (float*)m + (long)r * outputWidth, outputWidth, xIndex, xWeight));
                ParallelRows.For(planes * outputHeight, (long)planes * outputHeight * outputWidth * 4, po =>
                {
                    var (plane, o) = Math.DivRem(po, outputHeight);
                    var planeStart = (float*)m + (long)plane * height * outputWidth;
                    var k = 4 * o;
                    Blend4(planeStart + (long)yIndex[k] * outputWidth, planeStart + (long)yIndex[k + 1] * outputWidth,
                        planeStart + (long)yIndex[k + 2] * outputWidth, planeStart + (long)yIndex[k + 3] * outputWidth,
                        yWeight.AsSpan(k, 4), (float*)t + (long)po * outputWidth, outputWidth);
                });
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(alongX);
        }
    }

    /// <summary>For each output position: the four input indices (clamped) and their weights.</summary>
    internal static (int[] Index, float[] Weight) Plan(int inputSize, int outputSize)
    {
        var scale = outputSize > 1 ? (float)(inputSize - 1) / (outputSize - 1) : 0f;
        var index = new int[4 * outputSize];
        var weight = new float[4 * outputSize];
        for (var o = 0; o < outputSize; o++)
        {
            var real = scale * o;
            var floor = (int)MathF.Floor(real);
            var t = real - floor;
            weight[4 * o] = Outer(t + 1f);
            weight[4 * o + 1] = Inner(t);
            weight[4 * o + 2] = Inner(1f - t);
            weight[4 * o + 3] = Outer(2f - t);
            for (var k = 0; k < 4; k++)
            {
                index[4 * o + k] = Math.Clamp(floor - 1 + k, 0, inputSize - 1);
            }
        }
        return (index, weight);
    }

    // Keys' cubic for |x| <= 1 and for 1 < |x| < 2.
    private static float Inner(float x) => ((A + 2f) * x - (A + 3f)) * x * x + 1f;

    private static float Outer(float x) => ((A * x - 5f * A) * x + 8f * A) * x - 4f * A;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Across(float* row, float* result, int outputWidth, int[] index, float[] weight)
    {
        for (var o = 0; o < outputWidth; o++)
        {
            var k = 4 * o;
            result[o] = row[index[k]] * weight[k] + row[index[k + 1]] * weight[k + 1]
                + row[index[k + 2]] * weight[k + 2] + row[index[k + 3]] * weight[k + 3];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blend4(float* r0, float* r1, float* r2, float* r3, ReadOnlySpan<float> w, float* target, int width)
    {
        float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        var x = 0;
        for (; x <= width - Vector<float>.Count; x += Vector<float>.Count)
        {
            var sum = Unsafe.ReadUnaligned<Vector<float>>(r0 + x) * w0 + Unsafe.ReadUnaligned<Vector<float>>(r1 + x) * w1
                + Unsafe.ReadUnaligned<Vector<float>>(r2 + x) * w2 + Unsafe.ReadUnaligned<Vector<float>>(r3 + x) * w3;
            Unsafe.WriteUnaligned(target + x, sum);
        }
        for (; x < width; x++)
        {
            target[x] = r0[x] * w0 + r1[x] * w1 + r2[x] * w2 + r3[x] * w3;
        }
    }
}
