using Fme.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Tests.Support;

/// <summary>Small models written with the graph builder, and a plain ONNX Runtime runner for them.</summary>
public static class TestModels
{
    /// <summary>
    /// A CNN on [N, 32, H, W]: conv3x3 -> GroupNorm(32) -> SiLU -> conv3x3 -> + skip -> spatial attention block.
    /// Intermediate names are returned so tests can cut there.
    /// </summary>
    public static (OnnxModel Model, string Mid, string Skip) SmallCnn(TestRandom rng, OnnxElementType type = OnnxElementType.Float)
    {
        var b = new GraphBuilder("small_cnn");
        var x = b.Input("x", OnnxElementType.Float, "batch", 32, "height", "width");
        GraphValue W(string name, params long[] dims)
        {
            var count = dims.Aggregate(1L, (a, d) => a * d);
            var fan = dims.Length > 1 ? dims.Skip(1).Aggregate(1L, (a, d) => a * d) : 1;
            return b.Initializer(name, rng.Normal(count, 1f / MathF.Sqrt(fan)), dims);
        }
        GraphValue h;
        using (b.Scope("conv_in"))
        {
            h = b.Conv(x, W("conv_in.weight", 32, 32, 3, 3), W("conv_in.bias", 32), [3, 3], pads: [1, 1, 1, 1]);
        }
        var skip = h.Name;
        string mid;
        using (b.Scope("block"))
        {
            GraphValue n;
            using (b.Scope("norm1"))
            {
                n = b.GroupNorm(h, 32, W("norm1.weight", 32, 1, 1), W("norm1.bias", 32, 1, 1), 1e-6f);
            }
            n = b.SiLU(n);
            mid = n.Name;
            using (b.Scope("conv1"))
            {
                n = b.Conv(n, W("conv1.weight", 32, 32, 3, 3), null, [3, 3], pads: [1, 1, 1, 1]);
            }
            h = b.Add(h, n);
        }
        using (b.Scope("attn"))
        {
            // [N, C, H, W] -> [N, HW, C] -> q, k, v -> attention -> back.
            var shape = b.Shape(h);
            var tokens = b.Transpose(b.Reshape(h, 0, 32, -1), 0, 2, 1);
            var q = b.Linear(tokens, W("to_q.weight", 32, 32), null);
            var k = b.Linear(tokens, W("to_k.weight", 32, 32), null);
            var v = b.Linear(tokens, W("to_v.weight", 32, 32), W("to_v.bias", 32));
            GraphValue Heads(GraphValue t) => b.Transpose(b.Reshape(t, 0, -1, 2, 16), 0, 2, 1, 3);
            var a = b.ScaledDotProductAttention(Heads(q), Heads(k), Heads(v));
            a = b.Reshape(b.Transpose(a, 0, 2, 1, 3), 0, -1, 32);
            var back = b.Reshape(b.Transpose(a, 0, 2, 1), shape);
            h = b.Add(h, back);
        }
        b.Output(h, "y");
        return (b.Build(), mid, skip);
    }

    /// <summary>Runs a model file with plain ONNX Runtime and returns the named outputs as float arrays.</summary>
    public static Dictionary<string, float[]> RunPlain(string modelPath, IReadOnlyDictionary<string, (float[] Data, int[] Shape)> inputs,
        params string[] outputs)
    {
        using var options = new SessionOptions();
        using var session = new InferenceSession(modelPath, options);
        var values = inputs.Select(kv => NamedOnnxValue.CreateFromTensor(kv.Key, new DenseTensor<float>(kv.Value.Data, kv.Value.Shape))).ToList();
        using var results = outputs.Length == 0 ? session.Run(values) : session.Run(values, outputs);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }
}
