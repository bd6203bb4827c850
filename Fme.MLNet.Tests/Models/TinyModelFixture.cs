using Fme.MLNet.Models;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

/// <summary>One float32 tiny model set written for the whole collection, with sessions made on first use.</summary>
public sealed class TinyModelFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<SvdNetworkKind, NetworkRunner> _runners = new();

    public TinyModelFixture()
    {
        Folder = TinySvd.Write(_folder.Path);
    }

    public SvdModelFolder Folder { get; }

    public string Path => _folder.Path;

    public NetworkRunner Runner(SvdNetworkKind kind)
    {
        lock (_runners)
        {
            if (!_runners.TryGetValue(kind, out var runner))
            {
                _runners[kind] = runner = new NetworkRunner(Folder[kind]);
            }
            return runner;
        }
    }

    public void Dispose()
    {
        foreach (var runner in _runners.Values)
        {
            runner.Dispose();
        }
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "tiny SVD model set";
}

/// <summary>Fresh random inputs for the tiny networks, in the ranges the pipeline feeds (never zeros).</summary>
public static class TinyInputs
{
    public static (string, TensorData)[] Unet(TestRandom rng, int batch, int frames, int height, int width) =>
    [
        (SvdTensorRoles.Sample, TensorData.Of(rng.Normal(batch * frames * 8 * height * width), batch, frames, 8, height, width)),
        // 0.25 ln(sigma) for sigma in [0.002, 700].
        (SvdTensorRoles.Timestep, TensorData.Of(rng.Uniform(1, -1.55f, 1.64f), 1)),
        (SvdTensorRoles.EncoderHiddenStates, TensorData.Of(rng.Normal(batch * 64), batch, 1, 64)),
        (SvdTensorRoles.AddedTimeIds, TensorData.Of(Enumerable.Range(0, batch)
            .SelectMany(_ => new[] { rng.Uniform(1, 3, 10)[0], rng.Uniform(1, 1, 255)[0], rng.Uniform(1, 0.001f, 0.1f)[0] }).ToArray(), batch, 3)),
    ];

    public static (string, TensorData)[] Decoder(TestRandom rng, int batch, int frames, int height, int width) =>
    [
        (SvdTensorRoles.LatentSample, TensorData.Of(rng.Normal(batch * frames * 4 * height * width), batch * frames, 4, height, width)),
        (SvdTensorRoles.NumFrames, TensorData.Of([frames], 1)),
    ];

    public static (string, TensorData)[] Encoder(TestRandom rng, int batch, int height, int width) =>
        [(SvdTensorRoles.Sample, TensorData.Of(rng.Uniform(batch * 3 * height * width), batch, 3, height, width))];

    public static (string, TensorData)[] ImageEncoder(TestRandom rng, int batch) =>
        [(SvdTensorRoles.PixelValues, TensorData.Of(rng.Normal(batch * 3 * 224 * 224), batch, 3, 224, 224))];
}
