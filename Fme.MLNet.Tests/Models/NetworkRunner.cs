using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Tests.Models;

/// <summary>A tensor fed to or read from a network: float values (converted to the network's element type) and a shape.</summary>
public sealed record TensorData(float[] Data, long[] Shape)
{
    public static TensorData Of(float[] data, params long[] shape)
    {
        Assert.Equal(shape.Aggregate(1L, (a, d) => a * d), data.LongLength);
        return new TensorData(data, shape);
    }

    public double Rms() => Math.Sqrt(Data.Average(v => (double)v * v));

    public void AssertFinite(string what) =>
        Assert.True(Data.All(float.IsFinite), $"{what}: {Data.Count(v => !float.IsFinite(v))} non-finite values");
}

/// <summary>Plain ONNX Runtime sessions for the tiny networks, fed by role so boundary types and names are looked up.</summary>
public sealed class NetworkRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SvdNetwork _network;

    public NetworkRunner(SvdNetwork network)
    {
        _network = network;
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, IntraOpNumThreads = 2 };
        _session = new InferenceSession(network.OnnxPath, options);
    }

    /// <summary>Runs with inputs by role (integer roles take their float values as int64) and returns the outputs by role.</summary>
    public Dictionary<string, TensorData> Run(params (string Role, TensorData Value)[] inputs)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var (role, value) in inputs)
            {
                var tensor = _network.Input(role);
                values.Add(tensor.ElementType switch
                {
                    OnnxElementType.Float => OrtValue.CreateTensorValueFromMemory(value.Data, value.Shape),
                    OnnxElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(value.Data, v => (Float16)v), value.Shape),
                    OnnxElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(value.Data, v => (long)v), value.Shape),
                    var other => throw new InvalidOperationException($"unexpected input type {other}"),
                });
            }
            var names = inputs.Select(i => _network.TensorNames[i.Role]).ToArray();
            var outputNames = _network.Outputs.Select(o => o.Name).ToArray();
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, outputNames);
            var outputs = new Dictionary<string, TensorData>();
            for (var i = 0; i < outputNames.Length; i++)
            {
                var result = results[i];
                var shape = result.GetTensorTypeAndShape().Shape;
                var data = _network.Outputs[i].ElementType == OnnxElementType.Float16
                    ? result.GetTensorDataAsSpan<Float16>().ToArray().Select(v => v.ToFloat()).ToArray()
                    : result.GetTensorDataAsSpan<float>().ToArray();
                outputs[_network.Outputs[i].Role] = new TensorData(data, shape);
            }
            return outputs;
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    public void Dispose() => _session.Dispose();
}
