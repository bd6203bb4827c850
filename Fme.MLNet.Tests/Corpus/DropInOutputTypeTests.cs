using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Fme.MLNet.Tests.Corpus;

/// <summary>The NamedOnnxValue drop-in returns float16, float32 and int64 outputs as plain ONNX Runtime does.</summary>
public class DropInOutputTypeTests(ITestOutputHelper output)
{
    /// <summary>A float16 conv network with three outputs: the float16 result, its float32 cast and its int64 shape.</summary>
    private static OnnxModel Float16Network(TestRandom rng)
    {
        var b = new GraphBuilder("drop_in_types");
        var x = b.Input("x", OnnxElementType.Float16, "batch", 8, "height", "width");
        var w = b.Initializer("conv.weight", rng.Normal(8 * 8 * 3 * 3, 1f / MathF.Sqrt(72)).Select(v => (Half)v).ToArray(), 8, 8, 3, 3);
        var h = b.Relu(b.Conv(x, w, null, [3, 3], pads: [1, 1, 1, 1]));
        h = b.Conv(h, w, null, [3, 3], pads: [1, 1, 1, 1]);
        b.Output(h, "y16");
        b.Output(b.Cast(h, OnnxElementType.Float), "y32");
        b.Output(b.Shape(h), "shape");
        return b.Build();
    }

    [Fact]
    public void DropInRun_Float16Float32AndInt64Outputs_MatchPlainRuntime()
    {
        var rng = new TestRandom();
        var model = Float16Network(rng);
        int[] dims = [6, 8, 12, 12];
        var data = rng.Normal(dims.Aggregate(1, (a, d) => a * d)).Select(v => (Float16)v).ToArray();
        NamedOnnxValue[] inputs = [NamedOnnxValue.CreateFromTensor("x", new DenseTensor<Float16>(data, dims))];

        using var options = new SessionOptions();
        using var plain = new InferenceSession(model.ToBytes(), options);
        using var expected = plain.Run(inputs);
        using var session = StreamlinedSession.Create(model, PyTorchExportTests.Cutting);
        using var actual = session.Run(inputs);

        output.WriteLine(session.Plan!.ToString());
        var byName = actual.ToDictionary(r => r.Name);
        Assert.Equal(["y16", "y32", "shape"], actual.Select(r => r.Name));
        var context = $"({rng}) with plan\n{session.Plan}";
        foreach (var e in expected)
        {
            var a = byName[e.Name];
            Assert.Equal(e.ElementType, a.ElementType);
            switch (e.Name)
            {
                case "y16":
                    // Each piece runs the same float16 kernels on the same rows: float16 tolerance.
                    Compare.Close(a.AsTensor<Float16>().Select(v => v.ToFloat()).ToArray(), e.AsTensor<Float16>().Select(v => v.ToFloat()).ToArray(), 1e-3, $"y16 {context}");
                    break;
                case "y32":
                    Compare.Close(a.AsTensor<float>().ToArray(), e.AsTensor<float>().ToArray(), 1e-3, $"y32 {context}");
                    break;
                default:
                    Assert.Equal(e.AsTensor<long>().ToArray(), a.AsTensor<long>().ToArray());
                    break;
            }
        }
        Assert.True(session.Plan!.Groups.Any(g => g.Pieces > 1), $"nothing is cut, so the pieces' outputs are not exercised:\n{session.Plan}");
        Assert.Equal([6L, 8, 12, 12], byName["shape"].AsTensor<long>().ToArray());
    }
}
