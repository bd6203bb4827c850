using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>Count, mean and sum of squared deviations per (batch, group), in double; pieces merge exactly (Chan et al.).</summary>
internal sealed record NormMoments(long Batch, long Groups, double Count, double[] Mean, double[] M2)
{
    public NormMoments Merge(NormMoments other)
    {
        var count = Count + other.Count;
        var mean = new double[Mean.Length];
        var m2 = new double[M2.Length];
        for (var i = 0; i < mean.Length; i++)
        {
            var delta = other.Mean[i] - Mean[i];
            mean[i] = Mean[i] + delta * other.Count / count;
            m2[i] = M2[i] + other.M2[i] + delta * delta * Count * other.Count / count;
        }
        return new NormMoments(Batch, Groups, count, mean, m2);
    }
}

/// <summary>
/// The first pass of a two-pass normalisation: moments per (batch, group) over every axis from 2 on and the channels of
/// the group, from the whole input or merged from its pieces, turned into per-channel mean, scale = gamma / sqrt(var + eps)
/// and bias for y = (x - mean) * scale + bias.
/// </summary>
internal static class NormStatisticsPass
{
    /// <summary>Moments of a tensor [N, C, ...] (the whole input, or a piece of it cut along an axis from 2 on).</summary>
    public static NormMoments Moments(NativeTensor x, long groups)
    {
        var dims = x.Info.Dims;
        var (n, c) = (dims[0], dims[1]);
        var spatial = dims[2..].Aggregate(1L, (a, d) => a * d);
        var perGroup = c / groups;
        var count = perGroup * spatial;
        var mean = new double[n * groups];
        var m2 = new double[n * groups];
        Parallel.For(0L, n * groups, ng =>
        {
            var offset = (ng / groups * c + ng % groups * perGroup) * spatial;
            (mean[ng], m2[ng]) = x.Info.Type == OnnxElementType.Float16 ? MomentsHalf(x, offset, count) : MomentsFloat(x, offset, count);
        });
        return new NormMoments(n, groups, count, mean, m2);
    }

    /// <summary>Per-channel (mean, scale, bias), shaped [N, C] in memory.</summary>
    public static (float[] Mean, float[] Scale, float[] Bias) Affine(NormMoments m, long channels, NormStatistics norm, float[] gamma, float[] beta)
    {
        var perGroup = channels / m.Groups;
        var mean = new float[m.Batch * channels];
        var scale = new float[m.Batch * channels];
        var bias = new float[m.Batch * channels];
        for (var b = 0L; b < m.Batch; b++)
        {
            for (var g = 0L; g < m.Groups; g++)
            {
                var i = b * m.Groups + g;
                var inv = 1.0 / Math.Sqrt(m.M2[i] / m.Count + norm.Epsilon);
                for (var k = 0L; k < perGroup; k++)
                {
                    var ch = b * channels + g * perGroup + k;
                    var p = norm.PerChannel ? g * perGroup + k : g;
                    mean[ch] = (float)m.Mean[i];
                    scale[ch] = (float)(inv * gamma[p]);
                    bias[ch] = beta[p];
                }
            }
        }
        return (mean, scale, bias);
    }

    /// <summary>Two passes (mean, then squared deviations), vectorised over blocks whose float sums are added up in double.</summary>
    private static unsafe (double Mean, double M2) MomentsFloat(NativeTensor x, long offset, long count)
    {
        var p = (float*)x.Data + offset;
        const int Block = 1024;
        double sum = 0;
        for (long start = 0; start < count; start += Block)
        {
            var n = (int)Math.Min(Block, count - start);
            sum += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(p + start, n));
        }
        var mean = sum / count;
        var m = (float)mean;
        double sq = 0;
        Span<float> centred = stackalloc float[Block];
        for (long start = 0; start < count; start += Block)
        {
            var n = (int)Math.Min(Block, count - start);
            var block = centred[..n];
            System.Numerics.Tensors.TensorPrimitives.Subtract(new ReadOnlySpan<float>(p + start, n), m, block);
            sq += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(block);
        }
        // Deviations were taken from the float-rounded mean: correct for the difference to the exact one.
        var shift = mean - m;
        return (mean, Math.Max(0, sq - count * shift * shift));
    }

    private static unsafe (double Mean, double M2) MomentsHalf(NativeTensor x, long offset, long count)
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
        return (mean, sq);
    }
}
