namespace Fme.MLNet.Tests.Imaging;

/// <summary>Slow, plain float64 resizers written from the published definitions, to check the fast ones against.</summary>
internal static class ReferenceResize
{
    /// <summary>Gaussian blur (x then y, reflect padding) then bicubic with aligned corners, per diffusers' definition.</summary>
    public static double[] Antialiased(float[] input, int planes, int h, int w, int outH, int outW)
    {
        var kx = Gaussian(w, outW);
        var ky = Gaussian(h, outH);
        var blurX = new double[input.Length];
        var blurXY = new double[input.Length];
        for (var p = 0; p < planes; p++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    double sum = 0;
                    for (var k = 0; k < kx.Length; k++)
                    {
                        sum += kx[k] * input[(p * h + y) * w + Mirror(x + k - kx.Length / 2, w)];
                    }
                    blurX[(p * h + y) * w + x] = sum;
                }
            }
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    double sum = 0;
                    for (var k = 0; k < ky.Length; k++)
                    {
                        sum += ky[k] * blurX[(p * h + Mirror(y + k - ky.Length / 2, h)) * w + x];
                    }
                    blurXY[(p * h + y) * w + x] = sum;
                }
            }
        }
        var output = new double[planes * outH * outW];
        for (var p = 0; p < planes; p++)
        {
            for (var oy = 0; oy < outH; oy++)
            {
                double sy = SourcePosition(oy, h, outH);
                for (var ox = 0; ox < outW; ox++)
                {
                    double sx = SourcePosition(ox, w, outW);
                    double sum = 0;
                    for (var j = (int)Math.Floor(sy) - 1; j <= (int)Math.Floor(sy) + 2; j++)
                    {
                        for (var i = (int)Math.Floor(sx) - 1; i <= (int)Math.Floor(sx) + 2; i++)
                        {
                            var v = blurXY[(p * h + Math.Clamp(j, 0, h - 1)) * w + Math.Clamp(i, 0, w - 1)];
                            sum += Keys(sx - i) * Keys(sy - j) * v;
                        }
                    }
                    output[(p * outH + oy) * outW + ox] = sum;
                }
            }
        }
        return output;
    }

    // PyTorch computes the aligned-corners source position in float32: scale = (in - 1) / (out - 1), position = scale * o.
    // Keeping that rounding here leaves only the arithmetic itself to compare.
    private static float SourcePosition(int o, int inSize, int outSize)
    {
        var scale = outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f;
        return scale * o;
    }

    public static double[] Gaussian(int inSize, int outSize)
    {
        var sigma = Math.Max((inSize / (double)outSize - 1) / 2, 0.001);
        var size = (int)Math.Max(4 * sigma, 3);
        if (size % 2 == 0)
        {
            size++;
        }
        var taps = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - size / 2, 2) / (2 * sigma * sigma))).ToArray();
        var total = taps.Sum();
        return taps.Select(t => t / total).ToArray();
    }

    // Reflect without repeating the edge: -1 -> 1, n -> n - 2.
    private static int Mirror(int i, int n)
    {
        if (n == 1)
        {
            return 0;
        }
        while (i < 0 || i >= n)
        {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }

    // Keys' cubic convolution kernel with A = -0.75.
    private static double Keys(double d)
    {
        const double a = -0.75;
        d = Math.Abs(d);
        return d <= 1 ? ((a + 2) * d - (a + 3)) * d * d + 1
            : d < 2 ? ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
            : 0;
    }

    /// <summary>
    /// Lanczos-3 resampling of RGB24 as PIL defines it (window widened by the scale when shrinking, weights
    /// normalised over the part inside the image), horizontal then vertical, each pass rounded and clipped to bytes,
    /// in float64 (PIL itself uses 22-bit fixed-point weights).
    /// </summary>
    public static byte[] Lanczos3(byte[] rgb, int w, int h, int outW, int outH)
    {
        var across = new byte[h * outW * 3];
        var (xStart, xWeights) = LanczosPlan(w, outW);
        for (var y = 0; y < h; y++)
        {
            for (var o = 0; o < outW; o++)
            {
                for (var c = 0; c < 3; c++)
                {
                    double sum = 0;
                    for (var k = 0; k < xWeights[o].Length; k++)
                    {
                        sum += xWeights[o][k] * rgb[(y * w + xStart[o] + k) * 3 + c];
                    }
                    across[(y * outW + o) * 3 + c] = ToByte(sum);
                }
            }
        }
        var result = new byte[outH * outW * 3];
        var (yStart, yWeights) = LanczosPlan(h, outH);
        for (var o = 0; o < outH; o++)
        {
            for (var i = 0; i < outW * 3; i++)
            {
                double sum = 0;
                for (var k = 0; k < yWeights[o].Length; k++)
                {
                    sum += yWeights[o][k] * across[(yStart[o] + k) * outW * 3 + i];
                }
                result[o * outW * 3 + i] = ToByte(sum);
            }
        }
        return result;
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Floor(v + 0.5), 0, 255);

    private static (int[] Start, double[][] Weights) LanczosPlan(int inSize, int outSize)
    {
        var scale = inSize / (double)outSize;
        var stretch = Math.Max(scale, 1);
        var support = 3 * stretch;
        var start = new int[outSize];
        var weights = new double[outSize][];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            var lo = Math.Max((int)(center - support + 0.5), 0);
            var hi = Math.Min((int)(center + support + 0.5), inSize);
            var ws = Enumerable.Range(lo, hi - lo).Select(j => Lanczos((j + 0.5 - center) / stretch)).ToArray();
            var total = ws.Sum();
            start[o] = lo;
            weights[o] = ws.Select(v => v / total).ToArray();
        }
        return (start, weights);
    }

    private static double Lanczos(double x)
    {
        static double Sinc(double v) => v == 0 ? 1 : Math.Sin(Math.PI * v) / (Math.PI * v);
        return Math.Abs(x) < 3 ? Sinc(x) * Sinc(x / 3) : 0;
    }
}
