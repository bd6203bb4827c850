using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

/// <summary>The same seed and settings give byte-identical folders; another seed gives other weights.</summary>
public class TinySvdDeterminismTests
{
    private static readonly string[] ExpectedFiles =
    [
        "feature_extractor/preprocessor_config.json",
        "image_encoder/config.json", "image_encoder/model.onnx", "image_encoder/model.onnx.data",
        "scheduler/scheduler_config.json",
        "tiny_svd.json",
        "unet/config.json", "unet/model.onnx", "unet/model.onnx.data",
        "vae_decoder/config.json", "vae_decoder/model.onnx", "vae_decoder/model.onnx.data",
        "vae_encoder/config.json", "vae_encoder/model.onnx", "vae_encoder/model.onnx.data",
    ];

    private static Dictionary<string, byte[]> ReadAll(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes);

    [Fact]
    public void SameSeed_GivesByteIdenticalFolders()
    {
        var seed = new TestRandom().Next(0, int.MaxValue);
        using var a = new TempFolder();
        using var b = new TempFolder();
        TinySvd.Write(a.Path, new TinySvdOptions { Seed = seed });
        TinySvd.Write(b.Path, new TinySvdOptions { Seed = seed });
        var first = ReadAll(a.Path);
        var second = ReadAll(b.Path);
        Assert.Equal(ExpectedFiles, first.Keys.Order(StringComparer.Ordinal));
        Assert.All(ExpectedFiles, f => Assert.True(first[f].AsSpan().SequenceEqual(second[f]), $"{f} differs for seed {seed}"));
    }

    [Fact]
    public void SameSeed_GivesIdenticalFloat16Graphs_WithTheFloat32WeightsRounded()
    {
        var seed = new TestRandom().Next(0, int.MaxValue);
        var options = new TinySvdOptions { Seed = seed, Float16 = true };
        // The UNet's bytes are covered by the float32 folder test; its float16 weights come from the same rounding.
        foreach (var kind in SvdNetworkKinds.All.Where(k => k != SvdNetworkKind.Unet))
        {
            Assert.Equal(TinySvd.Build(kind, options).ToBytes(), TinySvd.Build(kind, options).ToBytes());
        }
        // Same draws as the float32 set (weights are drawn by name): each float16 weight is the float32 one rounded.
        var half = TinySvd.Build(SvdNetworkKind.VaeDecoder, options);
        var full = TinySvd.Build(SvdNetworkKind.VaeDecoder, options with { Float16 = false }).Graph;
        var weights = half.Proto.Graph.Initializer.Where(t => t.DataType == (int)OnnxElementType.Float16).ToList();
        Assert.NotEmpty(weights);
        foreach (var t in weights)
        {
            var expected = TensorValues.ToFloat(full.GetInitializer(t.Name).RawData.Span, OnnxElementType.Float).Select(v => (float)(Half)v);
            Assert.Equal(expected, TensorValues.ToFloat(t.RawData.Span, OnnxElementType.Float16));
        }
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentWeightsInEveryNetwork()
    {
        var seed = new TestRandom().Next(0, int.MaxValue - 1);
        foreach (var kind in SvdNetworkKinds.All)
        {
            var a = TinySvd.Build(kind, new TinySvdOptions { Seed = seed }).Proto.Graph;
            var b = TinySvd.Build(kind, new TinySvdOptions { Seed = seed + 1 }).Proto.Graph;
            Assert.Equal(a.Node, b.Node);
            var pairs = a.Initializer.Zip(b.Initializer).Where(p => p.First.DataType == 1 && !p.First.Name.Contains("InstanceNormalization_")).ToList();
            Assert.NotEmpty(pairs);
            Assert.All(pairs, p => Assert.False(p.First.RawData.Equals(p.Second.RawData), $"{kind}: {p.First.Name} is the same for seeds {seed} and {seed + 1}"));
        }
    }

    [Fact]
    public void Weights_AreStandardNormalDrawsScaledPerLayer()
    {
        // A conv weight [out, in, 3, 3] is drawn with standard deviation 1/sqrt(in * 9); check the sample's moments.
        var g = TinySvd.Build(SvdNetworkKind.Unet, new TinySvdOptions { Seed = new TestRandom().Next(0, 1000) }).Graph;
        var w = g.GetInitializer("up_blocks.0.resnets.0.spatial_res_block.conv1.weight");
        Assert.Equal(new long[] { 64, 128, 3, 3 }, w.Dims);
        var values = TensorValues.ToFloat(w.RawData.Span, OnnxElementType.Float);
        var mean = values.Average();
        var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        var expected = 1 / Math.Sqrt(128 * 9);
        Assert.InRange(mean, -0.05 * expected, 0.05 * expected);
        Assert.InRange(std, 0.97 * expected, 1.03 * expected);
        var kurtosis = values.Average(v => Math.Pow((v - mean) / std, 4));
        Assert.InRange(kurtosis, 2.8, 3.2);
    }
}
