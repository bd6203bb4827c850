using System.Runtime.CompilerServices;
using System.Numerics;

namespace Fme.MLNet.Diffusion;

/// <summary>
/// The vectorised Euler update. The prediction type is a struct type argument, so each variant compiles to its
/// own loop with no per-element branch. Operation order follows diffusers (float32, no fused multiply-add).
/// </summary>
internal static class EulerStepKernel
{
    /// <summary>Per-step scalars, computed once in float32.</summary>
    internal readonly struct Coefficients(float sigma, float nextSigma)
    {
        public readonly float Sigma = sigma;
        public readonly float Dt = nextSigma - sigma;
        public readonly float OutScale = -sigma / MathF.Sqrt(sigma * sigma + 1f);
        public readonly float SampleDivisor = sigma * sigma + 1f;
    }

    /// <summary>How a prediction type turns (model output, sample) into the denoised estimate x0.</summary>
    internal interface IPrediction
    {
        static abstract Vector<float> Denoised(Vector<float> output, Vector<float> sample, in Coefficients c);

        static abstract float Denoised(float output, float sample, in Coefficients c);
    }

    /// <summary>v-prediction (Salimans and Ho 2022): x0 = out * (-sigma / sqrt(sigma^2 + 1)) + x / (sigma^2 + 1).</summary>
    internal readonly struct VPrediction : IPrediction
    {
        public static Vector<float> Denoised(Vector<float> output, Vector<float> sample, in Coefficients c) =>
            output * c.OutScale + sample / new Vector<float>(c.SampleDivisor);

        public static float Denoised(float output, float sample, in Coefficients c) =>
            output * c.OutScale + sample / c.SampleDivisor;
    }

    /// <summary>Noise prediction: x0 = x - sigma * out.</summary>
    internal readonly struct Epsilon : IPrediction
    {
        public static Vector<float> Denoised(Vector<float> output, Vector<float> sample, in Coefficients c) =>
            sample - c.Sigma * output;

        public static float Denoised(float output, float sample, in Coefficients c) => sample - c.Sigma * output;
    }

    /// <summary>The network predicts x0 itself.</summary>
    internal readonly struct Sample : IPrediction
    {
        public static Vector<float> Denoised(Vector<float> output, Vector<float> sample, in Coefficients c) => output;

        public static float Denoised(float output, float sample, in Coefficients c) => output;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TPrediction>(ReadOnlySpan<float> output, ReadOnlySpan<float> sample, Span<float> next, in Coefficients c)
        where TPrediction : struct, IPrediction
    {
        var sigma = new Vector<float>(c.Sigma);
        var i = 0;
        for (; i <= sample.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var x = new Vector<float>(sample[i..]);
            var x0 = TPrediction.Denoised(new Vector<float>(output[i..]), x, c);
            var derivative = (x - x0) / sigma;
            (x + derivative * c.Dt).CopyTo(next[i..]);
        }
        for (; i < sample.Length; i++)
        {
            var x = sample[i];
            var derivative = (x - TPrediction.Denoised(output[i], x, c)) / c.Sigma;
            next[i] = x + derivative * c.Dt;
        }
    }
}
