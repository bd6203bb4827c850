using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Tests.Support;

/// <summary>The exactness oracle: the same model on the same inputs through plain ONNX Runtime and through the executor.</summary>
public static class Oracle
{
    public static Dictionary<string, float[]> Plain(OnnxModel model, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        params (string Name, long Value)[] integers) => Plain(model, inputs, GraphOptimizationLevel.ORT_ENABLE_ALL, integers);

    /// <summary>
    /// How far plain ONNX Runtime moves from itself when only its graph optimisations change (basic against all: fusions
    /// and kernel choices reorder float sums): the largest relative error over the outputs. It measures how sensitive the
    /// model is, on these inputs, to rounding of the size the executor's cuts cause (smaller products, two-pass statistics).
    /// </summary>
    public static double FusionSpread(OnnxModel model, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs)
    {
        var all = Plain(model, inputs);
        var basic = Plain(model, inputs, GraphOptimizationLevel.ORT_ENABLE_BASIC);
        return all.Max(kv => Compare.RelativeError(basic[kv.Key], kv.Value));
    }

    private static Dictionary<string, float[]> Plain(OnnxModel model, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        GraphOptimizationLevel level, params (string Name, long Value)[] integers)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level };
        using var session = model.FilePath is { } path ? new InferenceSession(path, options) : new InferenceSession(model.ToBytes(), options);
        var values = inputs.Select(kv => NamedOnnxValue.CreateFromTensor(kv.Key, new DenseTensor<float>(kv.Value.Data, kv.Value.Shape.Select(d => (int)d).ToArray()))).ToList();
        values.AddRange(integers.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<long>(new[] { i.Value }, [1]))));
        using var results = session.Run(values);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    public static Dictionary<string, float[]> Streamlined(StreamlinedSession session, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        params (string Name, long Value)[] integers)
    {
        var values = inputs.ToDictionary(kv => kv.Key, kv => OrtValue.CreateTensorValueFromMemory(kv.Value.Data, kv.Value.Shape));
        foreach (var (name, value) in integers)
        {
            values[name] = OrtValue.CreateTensorValueFromMemory(new[] { value }, [1]);
        }
        try
        {
            using var outputs = session.Run(values);
            return outputs.Names.Select((n, i) => (n, outputs[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.n, p => p.Item2);
        }
        finally
        {
            foreach (var v in values.Values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary>Runs both and asserts every output agrees within <paramref name="tolerance"/> (relative to the output's largest magnitude).</summary>
    public static StreamlinedPlan AssertSame(OnnxModel model, StreamlineOptions options, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        TestRandom rng, double tolerance = 1e-5)
    {
        var expected = Plain(model, inputs);
        using var session = StreamlinedSession.Create(model, options);
        var actual = Streamlined(session, inputs);
        foreach (var (name, reference) in expected)
        {
            Compare.Close(actual[name], reference, tolerance, $"output '{name}' ({rng}) with plan\n{session.Plan}");
        }
        return session.Plan!;
    }
}
