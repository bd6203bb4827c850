using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>The smallest useful generation on the built-in tiny model: 64x64, 2 frames, 2 steps, seed left to the job key.</summary>
internal static class TinySettings
{
    public const int Size = 64, Frames = 2;

    public static GenerateVideoFmeOptions Options { get; } = new("Video", "Image")
    {
        Generation = new GenerationOptions { Width = Size, Height = Size, NumFrames = Frames, Steps = 2, MaxGuidanceScale = 1, Fps = 5 },
        Unet = StreamlineOptions.Unsliced,
        Decoder = StreamlineOptions.Unsliced,
    };
}
