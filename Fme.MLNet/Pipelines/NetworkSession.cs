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
    private readonly string? _arenaShrinkage;

    /// <param name="network">The network: its file, and the names and types of its inputs and outputs by role.</param>
    /// <param name="factory">Session options (execution provider, threads).</param>
    /// <param name="streamline">How to cut; null runs a plain session.</param>
    /// <param name="model">A model cut from the network that keeps its tensor names, run instead of the file (streamlined only).</param>
    public NetworkSession(SvdNetwork network, SessionOptionsFactory factory, StreamlineOptions? streamline, OnnxModel? model = null)
    {
        _network = network;
        _options = factory.Create(streamlined: streamline is not null);
        _arenaShrinkage = factory.ArenaShrinkage(_options);
        try
        {
            if (streamline is null)
            {
                // Loading validates the external data again (the folder may have changed since it was opened).
                _ = OnnxModel.Load(network.OnnxPath);
                _plain = new InferenceSession(network.OnnxPath, _options);
            }
            else
            {
                _streamlined = model is null
                    ? StreamlinedSession.Create(network.OnnxPath, streamline, _options)
                    : StreamlinedSession.Create(model, streamline, _options);
            }
        }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            throw ModelRunException.Loading(network.OnnxPath, e);
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
        var output = _network.Output(outputRole).Name;
        if (_streamlined is not null)
        {
            using var results = RunStreamlined(inputs, null, cancellation);
            return ToFloats(results[output]);
        }
        return Call(inputs, null, cancellation, (values, runOptions) =>
        {
            var names = values.Keys.ToArray();
            using var plain = _plain!.Run(runOptions, names, names.Select(n => values[n]).ToArray(), [output]);
            return ToFloats(plain[0]);
        });
    }

    /// <summary>
    /// Runs the streamlined network on the inputs by role plus <paramref name="extra"/> values by tensor name (read, not
    /// disposed) and returns every output; the caller owns and disposes them.
    /// </summary>
    internal StreamlinedOutputs RunStreamlined(IReadOnlyList<NetworkInput> inputs, IReadOnlyDictionary<string, OrtValue>? extra,
        CancellationToken cancellation)
    {
        var session = _streamlined ?? throw new InvalidOperationException("RunStreamlined needs a streamlined network session.");
        return Call(inputs, extra, cancellation, (values, runOptions) => session.Run(values, runOptions, cancellation));
    }

    /// <summary>The shapes of the inputs by tensor name, as they are fed (a scalar input gets no dimensions).</summary>
    internal static Dictionary<string, long[]> InputShapes(SvdNetwork network, IReadOnlyList<NetworkInput> inputs) =>
        inputs.ToDictionary(i => network.Input(i.Role).Name, i => ShapeOf(network.Input(i.Role), i), StringComparer.Ordinal);

    /// <summary>Converts the inputs, runs <paramref name="run"/>, and counts its time; cancellation surfaces as such.</summary>
    private T Call<T>(IReadOnlyList<NetworkInput> inputs, IReadOnlyDictionary<string, OrtValue>? extra, CancellationToken cancellation,
        Func<Dictionary<string, OrtValue>, RunOptions, T> run)
    {
        CheckFrameCount(inputs);
        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        using var runOptions = new RunOptions();
        if (_arenaShrinkage is not null)
        {
            runOptions.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", _arenaShrinkage);
        }
        using var registration = cancellation.Register(() => runOptions.Terminate = true);
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var input in inputs)
            {
                var tensor = _network.Input(input.Role);
                values[tensor.Name] = ToValue(tensor, input);
            }
            var all = extra is null ? values : new Dictionary<string, OrtValue>(values.Concat(extra), StringComparer.Ordinal);
            return run(all, runOptions);
        }
        catch (OnnxRuntimeException) when (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellation);
        }
        catch (OnnxRuntimeException e)
        {
            throw ModelRunException.Running(_network.OnnxPath, values, e);
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

    /// <summary>
    /// The decoder splits its batch x frames axis by num_frames; a count that is not positive or does not divide it
    /// would fail deep inside ONNX Runtime with a message that names neither.
    /// </summary>
    private void CheckFrameCount(IReadOnlyList<NetworkInput> inputs)
    {
        var count = inputs.FirstOrDefault(i => i.Role == SvdTensorRoles.NumFrames);
        var latent = inputs.FirstOrDefault(i => i.Role == SvdTensorRoles.LatentSample);
        if (count.Role is null || latent.Role is null || latent.Shape.Length == 0)
        {
            return;
        }
        var frames = count.Ints is { Length: > 0 } ints ? ints[0] : (long)(count.Floats?.FirstOrDefault() ?? 0);
        var batch = latent.Shape[0];
        if (frames < 1 || batch % frames != 0)
        {
            throw new ArgumentException(
                $"Input '{_network.Input(SvdTensorRoles.NumFrames).Name}' of {_network.OnnxPath} is {frames}; expected a positive " +
                $"frame count that divides axis 0 (batch x frames, {batch}) of '{_network.Input(SvdTensorRoles.LatentSample).Name}'.",
                nameof(inputs));
        }
    }

    private static long[] ShapeOf(NetworkTensor tensor, NetworkInput input) => tensor.Dims.Count == 0 ? [] : input.Shape;

    private static OrtValue ToValue(NetworkTensor tensor, NetworkInput input)
    {
        var shape = ShapeOf(tensor, input);
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

    /// <summary>A float or float16 tensor as float32 values.</summary>
    internal static float[] ToFloats(OrtValue value)
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
