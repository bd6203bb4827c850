using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// The first pass of a two-pass normalisation: mean and variance per (batch, group) over the whole input, in double,
/// turned into per-channel mean, scale = gamma / sqrt(var + eps) and bias for y = (x - mean) * scale + bias.
/// </summary>
internal static class NormStatisticsPass
{
    public static (float[] Mean, float[] Scale, float[] Bias) Compute(NativeTensor x, long groups, float epsilon, float[] gamma, float[] beta)
    {
        var dims = x.Info.Dims;
        var n = dims[0];
        var c = dims[1];
        var spatial = dims[2..].Aggregate(1L, (a, d) => a * d);
        var perGroup = c / groups;
        var mean = new float[n * c];
        var scale = new float[n * c];
        var bias = new float[n * c];
        Parallel.For(0L, n * groups, ng =>
        {
            var b = ng / groups;
            var g = ng % groups;
            var offset = (b * c + g * perGroup) * spatial;
            var count = perGroup * spatial;
            var (m, variance) = x.Info.Type == OnnxElementType.Float16 ? MomentsHalf(x, offset, count) : MomentsFloat(x, offset, count);
            var inv = 1.0 / Math.Sqrt(variance + epsilon);
            for (var k = 0L; k < perGroup; k++)
            {
                var ch = g * perGroup + k;
                mean[b * c + ch] = (float)m;
                scale[b * c + ch] = (float)(inv * gamma[g]);
                bias[b * c + ch] = beta[g];
            }
        });
        return (mean, scale, bias);
    }

    private static unsafe (double Mean, double Variance) MomentsFloat(NativeTensor x, long offset, long count)
    {
        var p = (float*)x.Data + offset;
        double sum = 0;
        for (long i = 0; i < count; i++)
        {
            sum += p[i];
        }
        var mean = sum / count;
        double sq = 0;
        for (long i = 0; i < count; i++)
        {
            var d = p[i] - mean;
            sq += d * d;
        }
        return (mean, sq / count);
    }

    private static unsafe (double Mean, double Variance) MomentsHalf(NativeTensor x, long offset, long count)
    {
        var p = (Half*)x.Data + offset;
        double sum = 0;
        for (long i = 0; i < count; i++)
        {
            sum += (double)p[i];
        }
        var mean = sum / count;
        double sq = 0;
        for (long i = 0; i < count; i++)
        {
            var d = (double)p[i] - mean;
            sq += d * d;
        }
        return (mean, sq / count);
    }
}
