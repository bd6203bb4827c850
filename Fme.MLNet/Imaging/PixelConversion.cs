using System.Runtime.CompilerServices;
namespace Fme.MLNet.Imaging;

/// <summary>8-bit RGB to planar float, through lookup tables that hold exactly the float32 values the reference computes.</summary>
internal static class PixelConversion
{
    /// <summary>b / 255 in float32 (what <c>np.array(img).astype(np.float32) / 255.0</c> gives).</summary>
    public static readonly float[] Unit = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    /// <summary>(b / 255) * 2 - 1 in float32, the [-1, 1] range the VAE and the antialiased resize work in.</summary>
    public static readonly float[] Signed = Unit.Select(u => u * 2f - 1f).ToArray();

    /// <summary>Splits interleaved RGB24 into three planes, mapping each byte through <paramref name="lut"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToPlanar(ReadOnlySpan<byte> rgb, float[] lut, Span<float> planes)
    {
        var size = rgb.Length / 3;
        var r = planes[..size];
        var g = planes.Slice(size, size);
        var b = planes.Slice(2 * size, size);
        for (int i = 0, j = 0; i < size; i++, j += 3)
        {
            r[i] = lut[rgb[j]];
            g[i] = lut[rgb[j + 1]];
            b[i] = lut[rgb[j + 2]];
        }
    }
}
