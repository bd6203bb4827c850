using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Tests.Support;
using Xunit.Abstractions;

namespace Fme.MLNet.Tests.Models;

/// <summary>
/// The real-width preset's graphs, built without drawing or writing their weights, have SVD's published parameter
/// counts and shapes.
/// </summary>
public class SvdPresetTests(ITestOutputHelper output)
{
    private static readonly TinySvdOptions Svd = new() { Preset = SvdSizePreset.Svd, Float16 = true };

    private static long Parameters(OnnxModel model) =>
        model.Proto.Graph.Initializer
            .Where(t => t.DataType is (int)OnnxElementType.Float16 or (int)OnnxElementType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));

    [Theory]
    // Published sizes: SVD's UNet 1.52e9; CLIP ViT-H/14 vision tower with projection 6.3e8;
    // the SD VAE's 2-D encoder 3.4e7; the whole AutoencoderKLTemporalDecoder 9.8e7 (encoder + temporal decoder).
    [InlineData(SvdNetworkKind.Unet, 1.52e9)]
    [InlineData(SvdNetworkKind.ImageEncoder, 6.32e8)]
    [InlineData(SvdNetworkKind.VaeEncoder, 3.42e7)]
    public void Network_HasThePublishedParameterCount(SvdNetworkKind kind, double published)
    {
        var count = Parameters(TinySvd.BuildWithoutWeights(kind, Svd));
        output.WriteLine($"{kind}: {count:N0} parameters");
        Assert.InRange(count, 0.97 * published, 1.03 * published);
    }

    [Fact]
    public void Vae_EncoderPlusTemporalDecoder_HasThePublishedParameterCount()
    {
        var decoder = Parameters(TinySvd.BuildWithoutWeights(SvdNetworkKind.VaeDecoder, Svd));
        var encoder = Parameters(TinySvd.BuildWithoutWeights(SvdNetworkKind.VaeEncoder, Svd));
        output.WriteLine($"decoder {decoder:N0}, encoder {encoder:N0}");
        Assert.InRange(decoder + encoder, 0.97 * 9.8e7, 1.03 * 9.8e7);
    }

    [Fact]
    public void GraphsOnlyFolder_HasTheWrittenSetsGraphs_AndDataFilesOfTheRightLength()
    {
        using var folder = new TempFolder();
        var options = new TinySvdOptions { Seed = new TestRandom().Next(0, 1000), Float16 = true };
        var opened = TinySvd.WriteGraphsOnly(folder.Path, options);
        foreach (var kind in SvdNetworkKinds.All)
        {
            var written = OnnxModel.Load(Path.Combine(folder.Path, kind.FolderName(), TinySvd.ModelFileName));
            var built = TinySvd.Build(kind, options);
            Assert.Equal(built.Proto.Graph.Node, written.Proto.Graph.Node);
            Assert.Equal(built.Proto.Graph.Initializer.Select(i => (i.Name, string.Join(",", i.Dims))),
                written.Proto.Graph.Initializer.Select(i => (i.Name, string.Join(",", i.Dims))));
            written.CheckExternalData(); // every reference lies inside its data file
        }
        Assert.Equal(options.NumFrames, opened.UnetConfig.NumFrames);
        Assert.NotEqual(TinySvd.CacheFolderName(options), TinySvd.CacheFolderName(options with { Preset = SvdSizePreset.Svd }));
    }

    [Fact]
    public void StreamedWriter_WritesTheSameWeightsAsTheInMemoryBuild()
    {
        // The path the real-width preset takes, on the tiny widths: every weight's bytes equal the in-memory build's.
        using var folder = new TempFolder();
        var options = new TinySvdOptions { Seed = new TestRandom().Next(0, 1000), Float16 = true };
        var path = Path.Combine(folder.Path, TinySvd.ModelFileName);
        TinySvd.WriteStreamed(SvdNetworkKind.VaeDecoder, options, path, TinySvd.ModelFileName + ".data");
        var streamed = OnnxModel.Load(path);
        var built = TinySvd.Build(SvdNetworkKind.VaeDecoder, options);
        Assert.Contains(streamed.Proto.Graph.Initializer, t => t.IsExternal());
        Assert.Equal(built.Proto.Graph.Initializer.Count, streamed.Proto.Graph.Initializer.Count);
        foreach (var (expected, actual) in built.Proto.Graph.Initializer.Zip(streamed.Proto.Graph.Initializer))
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.True(built.ReadTensorBytes(expected).Span.SequenceEqual(streamed.ReadTensorBytes(actual).Span), expected.Name);
        }
    }

    [Fact]
    public void Unet_HasSvdsWidthsAndHeads_AndItsWeightsLieOutsideTheGraph()
    {
        var model = TinySvd.BuildWithoutWeights(SvdNetworkKind.Unet, Svd);
        var g = model.Graph;
        Assert.Equal(new long[] { 320, 8, 3, 3 }, g.GetInitializer("conv_in.weight").Dims);
        Assert.Equal(new long[] { 1280, 1280, 3, 3 }, g.GetInitializer("down_blocks.3.resnets.0.spatial_res_block.conv1.weight").Dims);
        // Cross-attention keys come from the 1024-wide image embedding; the GEGLU projection is 2 x 4C wide.
        Assert.Equal(new long[] { 1024, 640 }, g.GetInitializer("down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight").Dims);
        Assert.Equal(new long[] { 1280, 10240 }, g.GetInitializer("down_blocks.2.attentions.0.transformer_blocks.0.ff.net.0.proj.weight").Dims);
        Assert.Equal(new long[] { 768, 1280 }, g.GetInitializer("add_embedding.linear_1.weight").Dims);
        var large = model.Proto.Graph.Initializer.Where(t => t.Dims.Aggregate(1L, (a, d) => a * d) > 4096).ToList();
        Assert.NotEmpty(large);
        Assert.All(large, t => Assert.True(t.IsExternal(), $"{t.Name} is inline"));
        Assert.All(large, t => Assert.Equal((int)OnnxElementType.Float16, t.DataType));
    }
}
