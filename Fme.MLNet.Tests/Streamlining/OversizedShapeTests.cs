using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Models;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>Shapes whose sizes overflow or cannot fit are refused by name; inputs ONNX Runtime refuses name the model and the inputs.</summary>
[Collection(TinyModelCollection.Name)]
public class OversizedShapeTests(TinyModelFixture tiny)
{
    private static OnnxModel Elementwise(params object[] dims)
    {
        var b = new GraphBuilder("elementwise");
        var x = b.Input("x", OnnxElementType.Float, dims);
        b.Output(b.Relu(x), "y");
        return b.Build();
    }

    [Fact]
    public void DeclaredInputWhoseElementCountOverflows_IsRefusedByName()
    {
        using var session = StreamlinedSession.Create(Elementwise(1, 3, 1L << 40, 1L << 40));
        var e = Assert.Throws<TensorSizeException>(() => session.GetPlan(new Dictionary<string, long[]> { ["x"] = [1, 3, 1L << 40, 1L << 40] }));
        Assert.IsAssignableFrom<PlanningException>(e);
        Assert.Contains("tensor 'x'", e.Message);
        Assert.Contains("[1, 3, 1099511627776, 1099511627776]", e.Message);
        Assert.Contains("64 bits", e.Message);
    }

    [Fact]
    public void InputPastThePlannersLimit_IsRefusedWithTheSizeAndTheLimit()
    {
        using var session = StreamlinedSession.Create(Elementwise("n", "c", "h", "w"));
        var e = Assert.Throws<TensorSizeException>(() => session.GetPlan(new Dictionary<string, long[]> { ["x"] = [1, 3, 1L << 24, 1L << 24] }));
        Assert.Contains("tensor 'x'", e.Message);
        Assert.Contains((3L << 50).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Contains("256 TiB", e.Message);
    }

    [Fact]
    public void IntermediateWhoseSizeOverflows_IsRefusedByNode()
    {
        // Each input fits; their broadcast product [2^32, 2^32] does not.
        var b = new GraphBuilder("outer");
        var x = b.Input("x", OnnxElementType.Float, "a", 1);
        var y = b.Input("z", OnnxElementType.Float, 1, "b");
        b.Output(b.Mul(x, y), "y");
        using var session = StreamlinedSession.Create(b.Build());
        var e = Assert.Throws<TensorSizeException>(() =>
            session.GetPlan(new Dictionary<string, long[]> { ["x"] = [1L << 32, 1], ["z"] = [1, 1L << 32] }));
        Assert.Contains("Mul", e.Message);
        Assert.Contains("tensor '", e.Message);
    }

    [Theory]
    [InlineData(3)]   // 4 latents are not a whole number of 3-frame videos
    [InlineData(0)]
    public void DecoderFrameCountThatDoesNotDivideTheBatch_NamesTheModelAndTheInputs(long numFrames)
    {
        var decoder = tiny.Folder.VaeDecoder;
        using var session = StreamlinedSession.Create(decoder.OnnxPath);
        var rng = new TestRandom();
        using var latents = OrtValue.CreateTensorValueFromMemory(rng.Normal(4 * 4 * 8 * 8), [4, 4, 8, 8]);
        using var frames = OrtValue.CreateTensorValueFromMemory(new[] { numFrames }, [1]);
        var inputs = new Dictionary<string, OrtValue>
        {
            [decoder.Input(SvdTensorRoles.LatentSample).Name] = latents,
            [decoder.Input(SvdTensorRoles.NumFrames).Name] = frames,
        };
        var e = Assert.ThrowsAny<Exception>(() => session.Run(inputs).Dispose());
        Assert.True(e is ModelRunException or PlanningException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(decoder.OnnxPath, e.Message);
        Assert.Contains($"num_frames: int64[1] = [{numFrames}]", e.Message);
        Assert.Contains("[4, 4, 8, 8]", e.Message);
    }
}
