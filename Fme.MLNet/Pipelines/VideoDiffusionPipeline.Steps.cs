using System.Diagnostics;
using Fme.MLNet.Diffusion;
using Fme.MLNet.Imaging;
using Fme.MLNet.Models;
using Fme.MLNet.Rehash;

namespace Fme.MLNet.Pipelines;

// The generation as numbered steps (docs/svd-algorithm.md, "Steps, in order"), each a small helper.
public sealed partial class VideoDiffusionPipeline
{
    private VideoFrames Run(RgbImage image, GenerationOptions options, int frames, UnetLoop unet, Stopwatch clock,
        IProgress<GenerationProgress>? progress, CancellationToken cancellation)
    {
        var (height, width, steps) = (options.Height, options.Width, options.Steps);
        var (h, w) = (height / 8, width / 8);
        var channels = Models.VaeConfig.LatentChannels;
        var guided = FrameGuidance.IsEnabled(options.MaxGuidanceScale);
        var batch = guided ? 2 : 1;
        var noise = new GaussianNoise(options.Seed ?? (ulong)Random.Shared.NextInt64());
        progress?.Report(new GenerationProgress(GenerationStage.Encode, 0, steps, clock.Elapsed));

        // 1-2. CLIP embedding, [B, 1, D]; the unconditional half is zeros.
        var embedding = EncodeImage(image, cancellation);
        var embeddings = Guided(embedding, guided);

        // 3. VAE conditioning: Lanczos to H x W in [-1, 1], plus noise augmentation (the first random draw), then the mode.
        var imageLatent = EncodeLatent(image, width, height, options.NoiseAugStrength, noise, cancellation);
        var imageLatents = Guided(imageLatent, guided);

        // 4. Added time ids [fps - 1, motion bucket, noise augmentation], one row per batch entry.
        float[] ids = [options.Fps - 1, options.MotionBucketId, options.NoiseAugStrength];
        var timeIds = Enumerable.Repeat(ids, batch).SelectMany(x => x).ToArray();

        // 5. Initial latents [1, F, C, h, w] (the second random draw) times the initial noise sigma.
        _scheduler.SetTimesteps(steps);
        var frameSize = channels * h * w;
        var latents = new float[frames * frameSize];
        noise.Fill(latents, _scheduler.InitNoiseSigma);

        // 6. The loop.
        var scales = FrameGuidance.FrameScales(options.MinGuidanceScale, options.MaxGuidanceScale, frames);
        var sample = new float[batch * frames * 2 * frameSize];
        var scaled = new float[latents.Length];
        for (var i = 0; i < _scheduler.StepCount; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            _scheduler.ScaleModelInput(latents, i, scaled);
            // [B, F, 2C, h, w]: the scaled noisy latents first, then the image latents, for every frame of every batch half.
            for (var b = 0; b < batch; b++)
            {
                for (var f = 0; f < frames; f++)
                {
                    var target = sample.AsSpan((b * frames + f) * 2 * frameSize, 2 * frameSize);
                    scaled.AsSpan(f * frameSize, frameSize).CopyTo(target);
                    imageLatents.AsSpan(b * frameSize, frameSize).CopyTo(target[frameSize..]);
                }
            }
            var prediction = unet.Run(i,
            [
                new(SvdTensorRoles.Sample, [batch, frames, 2 * channels, h, w], sample),
                new(SvdTensorRoles.Timestep, [1], [_scheduler.Timesteps[i]]),
                new(SvdTensorRoles.EncoderHiddenStates, [batch, 1, embedding.Length], embeddings),
                new(SvdTensorRoles.AddedTimeIds, [batch, 3], timeIds),
            ], cancellation);
            if (guided)
            {
                FrameGuidance.Combine(prediction, 1, scales, prediction.AsSpan(0, latents.Length));
            }
            _scheduler.Step(prediction.AsSpan(0, latents.Length), i, latents);
            progress?.Report(new GenerationProgress(GenerationStage.Denoise, i + 1, steps, clock.Elapsed, _scheduler.SigmaAt(i)));
        }
        unet.ReleaseCache(); // the decoder's peak is not to include a deep tensor nobody reads again

        // 7. Decode every frame at once: [F, C, h, w] / scaling factor -> [F, 3, H, W].
        progress?.Report(new GenerationProgress(GenerationStage.Decode, steps, steps, clock.Elapsed));
        var factor = (float)(1.0 / Models.VaeConfig.ScalingFactor);
        for (var k = 0; k < latents.Length; k++)
        {
            latents[k] *= factor;
        }
        var decoderInputs = new List<NetworkInput> { new(SvdTensorRoles.LatentSample, [frames, channels, h, w], latents) };
        if (Models.VaeDecoder.HasInput(SvdTensorRoles.NumFrames))
        {
            decoderInputs.Add(new(SvdTensorRoles.NumFrames, [1], Ints: [frames]));
        }
        var decoded = _decoder.Run(decoderInputs, SvdTensorRoles.Sample, cancellation);

        // 8. Frames: x * 0.5 + 0.5, clamped, to 8 bits.
        var video = VideoFrames.FromDecoderOutput(decoded, frames, height, width, options.Fps);
        progress?.Report(new GenerationProgress(GenerationStage.Done, steps, steps, clock.Elapsed));
        return video;
    }

    private float[] EncodeImage(RgbImage image, CancellationToken cancellation)
    {
        var pixels = _clip.Process(image);
        return _imageEncoder.Run([new(SvdTensorRoles.PixelValues, pixels.Shape, pixels.Data)], SvdTensorRoles.ImageEmbeds, cancellation);
    }

    private float[] EncodeLatent(RgbImage image, int width, int height, float strength, GaussianNoise noise, CancellationToken cancellation)
    {
        var pixels = VaeImagePreprocessor.Process(image, width, height);
        var augmentation = new float[pixels.Data.Length];
        noise.Fill(augmentation, strength);
        for (var k = 0; k < augmentation.Length; k++)
        {
            pixels.Data[k] += augmentation[k];
        }
        var encoded = _vaeEncoder.Run([new(SvdTensorRoles.Sample, pixels.Shape, pixels.Data)], SvdTensorRoles.LatentSample, cancellation);
        // Moments hold the mean (= the mode) first, then the log-variance.
        var size = Models.VaeConfig.LatentChannels * (height / 8) * (width / 8);
        return encoded.AsSpan(0, size).ToArray();
    }

    /// <summary>[zeros, x] with guidance (the unconditional half first), else x.</summary>
    private static float[] Guided(float[] x, bool guided)
    {
        if (!guided)
        {
            return x;
        }
        var both = new float[2 * x.Length];
        x.CopyTo(both, x.Length);
        return both;
    }
}
