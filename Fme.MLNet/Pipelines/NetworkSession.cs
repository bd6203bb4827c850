using System.Diagnostics;
using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Pipelines;

/// <summary>One input of a network call, by role; float values are converted to the network's boundary type.</summary>
internal readonly record struct NetworkInput(string Role, long[] Shape, float[]? Floats = null, long[]? Ints = null);

/// <summary>
/// One network of the model set, run by plain ONNX Runtime or through the streamlined executor. Converts float32 to the
/// network's boundary type (float16 exports) and back, maps roles to the export's tensor names, and counts the time spent
/// inside ONNX Runtime. Holds a native session: disposable.
/// </summary>
internal sealed class NetworkSession : IDisposable
{
    private readonly SvdNetwork _network;
    private readonly SessionOptions _options;
    private readonly InferenceSession? _plain;
    private readonly StreamlinedSession? _streamlined;

    public NetworkSession(SvdNetwork network, SessionOptionsFactory factory, StreamlineOptions? streamline)
    {
        _network = network;
        _options = factory.Create(streamlined: streamline is not null);
        try
        {
            if (streamline is null)
            {
                _plain = new InferenceSession(network.OnnxPath, _options);
            }
            else
            {
                _streamlined = StreamlinedSession.Create(network.OnnxPath, streamline, _options);
            }
        }
        catch
        {
            _options.Dispose();
            throw;
        }
    }

    /// <summary>Time spent in ONNX Runtime calls so far.</summary>
    public TimeSpan RuntimeElapsed { get; private set; }

    /// <summary>The plan of the last streamlined call.</summary>
    public StreamlinedPlan? Plan => _streamlined?.Plan;

    /// <summary>Runs the network and returns one output (by role) as float32.</summary>
    public float[] Run(IReadOnlyList<NetworkInput> inputs, string outputRole, CancellationToken cancellation)
    {
        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        var output = _network.Output(outputRole);
        using var runOptions = new RunOptions();
        using var registration = cancellation.Register(() => runOptions.Terminate = true);
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var input in inputs)
            {
                var tensor = _network.Input(input.Role);
                values[tensor.Name] = ToValue(tensor, input);
            }
            if (_streamlined is not null)
            {
                using var results = _streamlined.Run(values, runOptions, cancellation);
                return ToFloats(results[output.Name]);
            }
            var names = values.Keys.ToArray();
            using var plain = _plain!.Run(runOptions, names, names.Select(n => values[n]).ToArray(), [output.Name]);
            return ToFloats(plain[0]);
        }
        catch (OnnxRuntimeException) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellation);
        }
        finally
        {
            RuntimeElapsed += Stopwatch.GetElapsedTime(started);
            foreach (var v in values.Values)
            {
                v.Dispose();
            }
        }
    }

    private static OrtValue ToValue(NetworkTensor tensor, NetworkInput input)
    {
        var shape = tensor.Dims.Count == 0 ? [] : input.Shape;
        switch (tensor.ElementType)
        {
            case OnnxElementType.Float:
                return OrtValue.CreateTensorValueFromMemory(input.Floats ?? Array.ConvertAll(input.Ints!, v => (float)v), shape);
            case OnnxElementType.Float16:
                var floats = input.Floats ?? Array.ConvertAll(input.Ints!, v => (float)v);
                return OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(floats, f => new Float16(BitConverter.HalfToUInt16Bits((Half)f))), shape);
            case OnnxElementType.Int64:
                return OrtValue.CreateTensorValueFromMemory(input.Ints ?? Array.ConvertAll(input.Floats!, v => (long)v), shape);
            case OnnxElementType.Int32:
                return OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(input.Ints ?? Array.ConvertAll(input.Floats!, v => (long)v), v => (int)v), shape);
            default:
                throw new ModelFolderException(tensor.Name, $"input of type {OnnxElementTypes.Name(tensor.ElementType)}; expected float, float16, int64 or int32.");
        }
    }

    private static float[] ToFloats(OrtValue value)
    {
        var type = value.GetTensorTypeAndShape().ElementDataType;
        return type switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Float16 => Array.ConvertAll(value.GetTensorDataAsSpan<Float16>().ToArray(), h => (float)BitConverter.UInt16BitsToHalf(h.value)),
            _ => throw new InvalidOperationException($"Expected a float or float16 output, found {type}."),
        };
    }

    public void Dispose()
    {
        _plain?.Dispose();
        _streamlined?.Dispose();
        _options.Dispose();
    }
}
