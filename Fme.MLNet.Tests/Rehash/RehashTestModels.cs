using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Tests.Rehash;

/// <summary>The tiny UNet in memory (weights inline, so plain sessions load it from bytes), inputs for it, and a plain runner.</summary>
internal static class RehashTestModels
{
    private static readonly Lazy<OnnxModel> Unet = new(() => TinySvd.Build(SvdNetworkKind.Unet));

    public static OnnxModel TinyUnet => Unet.Value;

    /// <summary>The same graph with every node name, and optionally every value_info entry, removed.</summary>
    public static OnnxModel Anonymous(OnnxModel model, bool dropValueInfo)
    {
        var proto = model.Proto.Clone();
        foreach (var node in proto.Graph.Node)
        {
            node.Name = "";
        }
        if (dropValueInfo)
        {
            proto.Graph.ValueInfo.Clear();
        }
        return OnnxModel.FromProto(proto, model.BaseDirectory);
    }

    public static Dictionary<string, long[]> Shapes(int frames, int latent) => new()
    {
        ["sample"] = [2, frames, 8, latent, latent],
        ["timestep"] = [1],
        ["encoder_hidden_states"] = [2, 1, 64],
        ["added_time_ids"] = [2, 3],
    };

    /// <summary>Fresh random UNet inputs in the ranges the pipeline feeds.</summary>
    public static Dictionary<string, (float[] Data, long[] Shape)> Inputs(TestRandom rng, int frames, int latent) =>
        Shapes(frames, latent).ToDictionary(kv => kv.Key, kv => (kv.Key switch
        {
            "timestep" => rng.Uniform(1, -1.55f, 1.64f),
            "added_time_ids" => [rng.Uniform(1, 3, 10)[0], rng.Uniform(1, 1, 255)[0], 0.02f, 6, 127, 0.02f],
            _ => rng.Normal(kv.Value.Aggregate(1L, (a, d) => a * d)),
        }, kv.Value));

    /// <summary>
    /// Every output of a model by plain ONNX Runtime, with graph optimisations off: the most literal reading of the graph,
    /// and a session made in a third of the time the UNet's optimisations take.
    /// </summary>
    public static Dictionary<string, float[]> RunPlain(OnnxModel model, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model.ToBytes(), options);
        var names = inputs.Keys.ToArray();
        var values = names.Select(n => OrtValue.CreateTensorValueFromMemory(inputs[n].Data, inputs[n].Shape)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, session.OutputNames);
            return session.OutputNames.Select((name, i) => (name, results[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.name, p => p.Item2);
        }
        finally
        {
            Array.ForEach(values, v => v.Dispose());
        }
    }
}
