using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Tests.Models;

/// <summary>
/// The value_info shapes the builder records (symbolic, from the inputs' dim_params) equal the shapes ONNX Runtime
/// computes. Every intermediate tensor is made a graph output and its run-time shape compared with the declared one,
/// evaluated for the run's sizes; products of input dims are checked, opaque expressions (ceil(height/2)) only for rank.
/// </summary>
public class RecordedShapeTests
{
    [Theory]
    [InlineData(SvdNetworkKind.Unet)]
    [InlineData(SvdNetworkKind.VaeDecoder)]
    [InlineData(SvdNetworkKind.VaeEncoder)]
    [InlineData(SvdNetworkKind.ImageEncoder)]
    public void DeclaredShapes_EqualRunTimeShapes(SvdNetworkKind kind)
    {
        var rng = new TestRandom();
        var model = TinySvd.Build(kind);
        var proto = model.Proto.Clone();
        var declared = proto.Graph.ValueInfo.ToDictionary(v => v.Name, v => v.Type.TensorType.Shape);
        Assert.All(declared, d => Assert.True(d.Value is not null, $"{d.Key} has no recorded shape"));
        foreach (var info in proto.Graph.ValueInfo)
        {
            proto.Graph.Output.Add(info.Clone());
        }
        var (inputs, sizes) = kind switch
        {
            SvdNetworkKind.Unet => (TinyInputs.Unet(rng, 2, 3, 8, 16), new Dictionary<string, long> { ["batch"] = 2, ["num_frames"] = 3, ["height"] = 8, ["width"] = 16 }),
            SvdNetworkKind.VaeDecoder => (TinyInputs.Decoder(rng, 2, 3, 4, 6), new() { ["batch_frames"] = 6, ["num_frames"] = 3, ["height"] = 4, ["width"] = 6 }),
            SvdNetworkKind.VaeEncoder => (TinyInputs.Encoder(rng, 2, 24, 40), new() { ["batch"] = 2, ["pixel_height"] = 24, ["pixel_width"] = 40 }),
            _ => (TinyInputs.ImageEncoder(rng, 3), new Dictionary<string, long> { ["batch"] = 3 }),
        };

        using var dir = new TempFolder();
        var path = dir.File("model.onnx");
        OnnxModel.FromProto(proto).Save(path);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(path, options);
        var names = inputs.Select(i => i.Item1).ToArray(); // the tiny set names its tensors after their roles
        var values = inputs.Select(i => i.Item1 == SvdTensorRoles.NumFrames
            ? OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(i.Item2.Data, v => (long)v), i.Item2.Shape)
            : OrtValue.CreateTensorValueFromMemory(i.Item2.Data, i.Item2.Shape)).ToList();
        try
        {
            var outputs = declared.Keys.ToArray();
            using var results = session.Run(new RunOptions(), names, values, outputs);
            var checkedDims = 0;
            for (var i = 0; i < outputs.Length; i++)
            {
                var actual = results[i].GetTensorTypeAndShape().Shape;
                var dims = declared[outputs[i]].Dim;
                Assert.True(dims.Count == actual.Length, $"{outputs[i]}: declared rank {dims.Count}, computed shape [{string.Join(", ", actual)}]; {rng}");
                for (var d = 0; d < dims.Count; d++)
                {
                    if (Evaluate(dims[d].DimParam.Length > 0 ? dims[d].DimParam : dims[d].DimValue.ToString(), sizes) is { } expected)
                    {
                        Assert.True(expected == actual[d],
                            $"{outputs[i]}: axis {d} declared '{dims[d]}' = {expected}, computed {actual[d]} in [{string.Join(", ", actual)}]; {rng}");
                        checkedDims++;
                    }
                }
            }
            Assert.True(checkedDims > outputs.Length, $"only {checkedDims} dims could be evaluated");
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    /// <summary>A product of numbers and input dim names, or null when it holds anything else.</summary>
    private static long? Evaluate(string text, IReadOnlyDictionary<string, long> sizes)
    {
        if (text.Contains('('))
        {
            return null;
        }
        long product = 1;
        foreach (var factor in text.Split('*'))
        {
            if (long.TryParse(factor, out var n))
            {
                product *= n;
            }
            else if (sizes.TryGetValue(factor, out var v))
            {
                product *= v;
            }
            else
            {
                throw new Xunit.Sdk.XunitException($"unknown dim name '{factor}' in '{text}'");
            }
        }
        return product;
    }
}
