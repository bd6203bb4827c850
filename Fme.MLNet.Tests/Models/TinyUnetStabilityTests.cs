using Fme.MLNet.Models;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

/// <summary>The random weights keep the sampler's numbers finite and of order one through a full 25-step run.</summary>
[Collection(TinyModelCollection.Name)]
public class TinyUnetStabilityTests(TinyModelFixture tiny)
{
    [Fact]
    public void TwentyFiveEulerSteps_At14Frames_StayFiniteAndBounded()
    {
        var rng = new TestRandom();
        const int Batch = 1, Frames = 14, Size = 8, Steps = 25;
        var unet = tiny.Runner(SvdNetworkKind.Unet);

        // Karras sigmas from 700 down to 0.002, then 0, as SVD's scheduler makes them (docs/svd-algorithm.md).
        var sigmas = Enumerable.Range(0, Steps).Select(i =>
        {
            var ramp = i / (double)(Steps - 1);
            return Math.Pow(Math.Pow(700, 1 / 7.0) + ramp * (Math.Pow(0.002, 1 / 7.0) - Math.Pow(700, 1 / 7.0)), 7);
        }).Append(0).ToArray();
        var perFrame = Frames * 4 * Size * Size;
        var latents = rng.Normal(Batch * perFrame).Select(v => (float)(v * Math.Sqrt(sigmas[0] * sigmas[0] + 1))).ToArray();
        var imageLatents = rng.Normal(Batch * 4 * Size * Size);
        var conditioning = TinyInputs.Unet(rng, Batch, Frames, Size, Size);

        for (var step = 0; step < Steps; step++)
        {
            var (sigma, next) = (sigmas[step], sigmas[step + 1]);
            var scale = 1 / Math.Sqrt(sigma * sigma + 1);
            // sample = concat(latents / sqrt(sigma^2 + 1), image latents) on channels: (B, F, 8, h, w).
            var sample = new float[Batch * Frames * 8 * Size * Size];
            var plane = 4 * Size * Size;
            for (var bf = 0; bf < Batch * Frames; bf++)
            {
                for (var i = 0; i < plane; i++)
                {
                    sample[bf * 2 * plane + i] = (float)(latents[bf * plane + i] * scale);
                    sample[bf * 2 * plane + plane + i] = imageLatents[bf / Frames * plane + i];
                }
            }
            var inputs = conditioning.ToArray();
            inputs[0] = (SvdTensorRoles.Sample, TensorData.Of(sample, Batch, Frames, 8, Size, Size));
            inputs[1] = (SvdTensorRoles.Timestep, TensorData.Of([(float)(0.25 * Math.Log(sigma))], 1));
            var output = unet.Run(inputs)[SvdTensorRoles.OutSample];
            output.AssertFinite($"step {step}, {rng}");
            Assert.InRange(output.Rms(), 0.05, 10);

            // Euler step with v-prediction: x0 = out * (-sigma / sqrt(sigma^2 + 1)) + x / (sigma^2 + 1).
            for (var i = 0; i < latents.Length; i++)
            {
                var x0 = output.Data[i] * (-sigma * scale) + latents[i] * scale * scale;
                var d = (latents[i] - x0) / sigma;
                latents[i] = (float)(latents[i] + d * (next - sigma));
            }
        }
        var final = TensorData.Of(latents, latents.Length);
        final.AssertFinite($"final latents, {rng}");
        Assert.InRange(final.Rms(), 0.05, 10);
    }
}
