using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Fme.MLNet.Tests.Corpus;

/// <summary>
/// The video-diffusion blocks exported with torch.onnx.export (tools/corpus/export_video_blocks.py): exact against plain
/// ONNX Runtime on fresh random inputs, planned with cuts, and the NamedOnnxValue drop-in agreeing with plain ONNX Runtime.
/// </summary>
public class PyTorchExportTests(ITestOutputHelper output)
{
    /// <summary>Cuts even these small blocks, so the pieces are exercised.</summary>
    internal static readonly StreamlineOptions Cutting = new() { FrameChunks = 2, PixelChunks = 2, MinimumCutBytes = 0, CutEverywhere = true };

    private static string AssetPath(string file) => Path.Combine(AppContext.BaseDirectory, "Corpus", "Assets", file);

    private static (float[] Data, long[] Shape) Input(string file, TestRandom rng)
    {
        long[] shape = file switch
        {
            "spatial_resblock.onnx" => [6, 32, 16, 16],
            "temporal_attention_einsum.onnx" => [2, 6, 32, 8, 8],
            "upsample_block.onnx" => [6, 32, 8, 8],
            _ => throw new ArgumentException($"No input shape for corpus file '{file}'.", nameof(file)),
        };
        return (rng.Normal(shape.Aggregate(1L, (a, d) => a * d)), shape);
    }

    [Theory]
    [InlineData("spatial_resblock.onnx")]
    [InlineData("temporal_attention_einsum.onnx")]
    [InlineData("upsample_block.onnx")]
    public void Export_MatchesPlainRuntime_AndIsPlanned(string file)
    {
        var rng = new TestRandom();
        var model = OnnxModel.Load(AssetPath(file));
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = Input(file, rng) };
        var plan = Oracle.AssertSame(model, Cutting, inputs, rng);
        output.WriteLine(plan.ToString());
        Assert.True(plan.UnslicedReason is null, $"{file} runs whole: {plan.UnslicedReason}");
        Assert.True(plan.Groups.Any(g => g.Pieces > 1), $"{file} is planned but nothing is cut:\n{plan}");
    }

    [Theory]
    [InlineData("spatial_resblock.onnx")]
    [InlineData("temporal_attention_einsum.onnx")]
    [InlineData("upsample_block.onnx")]
    public void DropInRun_MatchesPlainRuntime(string file)
    {
        var rng = new TestRandom();
        var (data, shape) = Input(file, rng);
        var tensor = new DenseTensor<float>(data, shape.Select(d => (int)d).ToArray());
        NamedOnnxValue[] inputs = [NamedOnnxValue.CreateFromTensor("x", tensor)];

        using var options = new SessionOptions();
        using var plain = new InferenceSession(AssetPath(file), options);
        using var expected = plain.Run(inputs);
        using var session = StreamlinedSession.Create(AssetPath(file), Cutting);
        using var actual = session.Run(inputs);

        Assert.Equal(expected.Select(r => r.Name), actual.Select(r => r.Name));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.AsTensor<float>().Dimensions.ToArray(), a.AsTensor<float>().Dimensions.ToArray());
            output.WriteLine($"{file} '{e.Name}': relative error {Compare.RelativeError(a.AsTensor<float>().ToArray(), e.AsTensor<float>().ToArray()):E3}");
            Compare.Close(a.AsTensor<float>().ToArray(), e.AsTensor<float>().ToArray(), 1e-5, $"{file} output '{e.Name}' ({rng}) with plan\n{session.Plan}");
        }
    }
}
