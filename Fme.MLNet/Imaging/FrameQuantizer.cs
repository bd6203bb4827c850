using System.Runtime.CompilerServices;
using System.Numerics;

namespace Fme.MLNet.Imaging;

/// <summary>
/// Decoder output to 8 bits, as the reference does it: x * 0.5 + 0.5, clamped to [0, 1], times 255, rounded half
/// to even (NumPy's and PyTorch's <c>round</c>), all in float32; NaN becomes 0.
/// </summary>
internal static unsafe class FrameQuantizer
{
    public static byte ToByte(float x)
    {
        var v = Math.Clamp(x * 0.5f + 0.5f, 0f, 1f);
        return float.IsNaN(v) ? (byte)0 : (byte)MathF.Round(v * 255f, MidpointRounding.ToEven);
    }

    /// <summary>Planar [frames, 3, H, W] floats to interleaved RGB24 frames, one row per task.</summary>
    public static byte[] ToRgb24(ReadOnlySpan<float> planar, int frames, int height, int width)
    {
        var rgb = new byte[(long)frames * height * width * 3];
        fixed (float* source = planar)
        {
            nint s = (nint)source;
            ParallelRows.For(frames * height, rgb.LongLength, fy =>
            {
                var (frame, y) = Math.DivRem(fy, height);
                var plane = (long)height * width;
                var red = (float*)s + frame * 3 * plane + (long)y * width;
                Span<byte> channels = width <= 4096 ? stackalloc byte[3 * width] : new byte[3 * width];
                Row(new ReadOnlySpan<float>(red, width), channels[..width]);
                Row(new ReadOnlySpan<float>(red + plane, width), channels.Slice(width, width));
                Row(new ReadOnlySpan<float>(red + 2 * plane, width), channels.Slice(2 * width, width));
                var target = rgb.AsSpan((int)(((long)frame * height + y) * width * 3), width * 3);
                for (int x = 0, t = 0; x < width; x++, t += 3)
                {
                    target[t] = channels[x];
                    target[t + 1] = channels[width + x];
                    target[t + 2] = channels[2 * width + x];
                }
            });
        }
        return rgb;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(ReadOnlySpan<float> values, Span<byte> target)
    {
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= values.Length - 4 * width; i += 4 * width)
        {
            // int -> short -> byte narrowing keeps the low bits, and every level is in 0..255.
            var low = Vector.Narrow(Level(new Vector<float>(values[i..])), Level(new Vector<float>(values[(i + width)..])));
            var high = Vector.Narrow(Level(new Vector<float>(values[(i + 2 * width)..])), Level(new Vector<float>(values[(i + 3 * width)..])));
            Vector.AsVectorByte(Vector.Narrow(low, high)).CopyTo(target[i..]);
        }
        for (; i < values.Length; i++)
        {
            target[i] = ToByte(values[i]);
        }
    }

    private static Vector<int> Level(Vector<float> x)
    {
        var v = x * new Vector<float>(0.5f) + new Vector<float>(0.5f);
        v = Vector.ConditionalSelect(Vector.Equals(v, v), v, Vector<float>.Zero); // NaN -> 0, like the scalar path
        v = Vector.Min(Vector.Max(v, Vector<float>.Zero), Vector<float>.One) * new Vector<float>(255f);
        return Vector.ConvertToInt32(Vector.Round(v));
    }
}
