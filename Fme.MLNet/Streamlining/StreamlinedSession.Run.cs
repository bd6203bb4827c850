using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;
using Fme.MLNet.Streamlining.Execution;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Streamlining;

public sealed partial class StreamlinedSession
{
    private const int MaxShapeInputElements = 64;
    private InferenceSession? _outputCopier;
    private string? _outputCopierSignature;

    /// <summary>Names of the full tensors the executor held after the last run (only the outputs it handed back).</summary>
    internal IReadOnlyList<string> HeldAfterLastRun { get; private set; } = [];

    /// <summary>Wall time of each group in the last run, in plan order (for profiling).</summary>
    internal IReadOnlyList<TimeSpan> GroupTimesOfLastRun { get; private set; } = [];

    /// <summary>
    /// Runs the model, as <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/> does: the results are
    /// copies the caller owns and disposes.
    /// </summary>
    public IDisposableReadOnlyCollection<DisposableNamedOnnxValue> Run(IReadOnlyCollection<NamedOnnxValue> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            foreach (var input in inputs)
            {
                values[input.Name] = ToOrtValue(input);
            }
            using var outputs = Run(values);
            return CopyOut(outputs);
        }
        finally
        {
            foreach (var v in values.Values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs the model on the given values (read, never written) and returns the outputs in the model's order. The
    /// returned collection owns the output memory. Cancellation stops within the ONNX Runtime call in progress and frees
    /// every intermediate tensor.
    /// </summary>
    /// <exception cref="ArgumentException">An input is missing, unknown, or of the wrong type or shape.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ModelRunException">ONNX Runtime cannot load or run the model on these inputs.</exception>
    /// <exception cref="InvalidOperationException">Another thread is running this session.</exception>
    public StreamlinedOutputs Run(IReadOnlyDictionary<string, OrtValue> inputs, RunOptions? runOptions = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(inputs);
        using var exclusive = new ExclusiveRun(this);
        foreach (var name in inputs.Keys.Where(n => !InputMetadata.ContainsKey(n)))
        {
            throw new ArgumentException($"The model has no input '{name}'; its inputs are [{string.Join(", ", InputMetadata.Keys)}].", nameof(inputs));
        }
        var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var known = new Dictionary<string, KnownValue>(StringComparer.Ordinal);
        foreach (var (name, meta) in InputMetadata)
        {
            if (!inputs.TryGetValue(name, out var value))
            {
                throw new ArgumentException($"Input '{name}' ({meta}) was not given.", nameof(inputs));
            }
            var shape = value.GetTensorTypeAndShape();
            var info = CheckInput(name, (OnnxElementType)(int)shape.ElementDataType, shape.Shape);
            infos[name] = info;
            if (info.Type is OnnxElementType.Int64 or OnnxElementType.Int32 && info.Elements <= MaxShapeInputElements)
            {
                var ints = info.Type == OnnxElementType.Int64
                    ? value.GetTensorDataAsSpan<long>().ToArray()
                    : Array.ConvertAll(value.GetTensorDataAsSpan<int>().ToArray(), v => (long)v);
                known[name] = KnownValue.Integers(info.Type, info.Dims, ints);
            }
        }
        ExecutionPlan plan;
        try
        {
            plan = GetExecutionPlan(infos, known);
        }
        catch (OnnxRuntimeException e)
        {
            throw ModelRunException.Loading(_model.FilePath, e);
        }
        catch (TensorSizeException e)
        {
            throw new TensorSizeException($"{ModelRunException.Name(_model.FilePath)} on inputs {ModelRunException.Describe(inputs)}: {e.Message}", e);
        }
        Plan = plan.Planning.Plan;
        var ownRunOptions = runOptions is null;
        runOptions ??= new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        try
        {
            return plan.Planning.Context is null
                ? RunWhole(inputs, runOptions)
                : RunGroups(plan, inputs, infos, runOptions, cancellationToken);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            var reason = plan.Planning.Plan.UnslicedReason is { } r ? $" (run whole because {r})" : "";
            throw ModelRunException.Running(_model.FilePath, inputs, e, reason);
        }
        finally
        {
            if (ownRunOptions)
            {
                runOptions.Dispose();
            }
        }
    }

    private StreamlinedOutputs RunWhole(IReadOnlyDictionary<string, OrtValue> inputs, RunOptions runOptions)
    {
        var names = inputs.Keys.ToArray();
        var results = WholeModel().Run(runOptions, names, names.Select(n => inputs[n]).ToArray(), OutputNames);
        HeldAfterLastRun = OutputNames;
        return new StreamlinedOutputs(OutputNames, results.ToList(), []);
    }

    private StreamlinedOutputs RunGroups(ExecutionPlan plan, IReadOnlyDictionary<string, OrtValue> inputs, Dictionary<string, TensorInfo> infos,
        RunOptions runOptions, CancellationToken cancellation)
    {
        var tensors = new Dictionary<string, NativeTensor>(StringComparer.Ordinal);
        var shapes = plan.Planning.Context!.Shapes;
        var outputs = OutputNames;
        try
        {
            foreach (var (name, value) in inputs)
            {
                tensors[name] = NativeTensor.View(infos[name], DataPointer(value));
            }
            var times = new List<TimeSpan>(plan.Runners.Count);
            foreach (var runner in plan.Runners)
            {
                cancellation.ThrowIfCancellationRequested();
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var group = runner.Group;
                foreach (var output in group.Outputs)
                {
                    // An output that reuses a dying input's memory is written piece by piece over it.
                    tensors[output] = group.Reuses.TryGetValue(output, out var donor)
                        ? tensors[donor].Reinterpret(shapes.Info(output))
                        : NativeTensor.Allocate(shapes.Info(output));
                }
                runner.Run(tensors, runOptions, cancellation);
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
                foreach (var input in group.Inputs.Where(t => plan.LastUse[t] == group.Index && !outputs.Contains(t)))
                {
                    tensors[input].Dispose(); // a donor to a reused output no longer owns its memory: this frees nothing
                    tensors.Remove(input);
                }
            }
            cancellation.ThrowIfCancellationRequested();
            var held = outputs.Select(o => tensors[o]).ToList();
            foreach (var name in tensors.Keys.Where(n => !outputs.Contains(n)).ToList())
            {
                tensors[name].Dispose();
                tensors.Remove(name);
            }
            HeldAfterLastRun = tensors.Keys.ToList();
            GroupTimesOfLastRun = times;
            return new StreamlinedOutputs(outputs, held.Select(t => t.CreateValue()).ToList(), held);
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
            HeldAfterLastRun = [];
            throw;
        }
    }

    private static unsafe IntPtr DataPointer(OrtValue value) =>
        (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(value.GetTensorMutableRawData()));

    private static OrtValue ToOrtValue(NamedOnnxValue input) => input.Value switch
    {
        DenseTensor<float> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        DenseTensor<Float16> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        DenseTensor<long> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        DenseTensor<int> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        DenseTensor<double> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        DenseTensor<bool> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        DenseTensor<byte> t => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Buffer, Dims(t)),
        Tensor<float> t => ToOrtValue(NamedOnnxValue.CreateFromTensor(input.Name, t.ToDenseTensor())),
        Tensor<long> t => ToOrtValue(NamedOnnxValue.CreateFromTensor(input.Name, t.ToDenseTensor())),
        Tensor<Float16> t => ToOrtValue(NamedOnnxValue.CreateFromTensor(input.Name, t.ToDenseTensor())),
        Tensor<int> t => ToOrtValue(NamedOnnxValue.CreateFromTensor(input.Name, t.ToDenseTensor())),
        _ => throw new ArgumentException(
            $"Input '{input.Name}' holds {input.Value?.GetType().Name ?? "null"}; expected a tensor of float, float16, double, int64, int32, bool or uint8.",
            nameof(input)),
    };

    private static long[] Dims<T>(Tensor<T> t) => t.Dimensions.ToArray().Select(d => (long)d).ToArray();

    /// <summary>
    /// Copies outputs into values ONNX Runtime owns (only it can create DisposableNamedOnnxValue): an Identity model per
    /// output, fed the outputs' memory under their own element types.
    /// </summary>
    private IDisposableReadOnlyCollection<DisposableNamedOnnxValue> CopyOut(StreamlinedOutputs outputs)
    {
        var shapes = outputs.Select(v => v.GetTensorTypeAndShape()).ToList();
        var signature = string.Join(";", shapes.Select(s => $"{s.ElementDataType}/{s.Shape.Length}"));
        if (_outputCopier is null || _outputCopierSignature != signature)
        {
            _outputCopier?.Dispose();
            _outputCopier = null;
            using var options = new SessionOptions { EnableCpuMemArena = false, EnableMemoryPattern = false };
            _outputCopier = new InferenceSession(CopierModel(shapes).ToBytes(), options);
            _outputCopierSignature = signature;
        }
        var names = outputs.Names.Select((_, i) => $"in_{i}").ToArray();
        var fixedInputs = new List<FixedBufferOnnxValue>();
        try
        {
            var i = 0;
            foreach (var value in outputs)
            {
                fixedInputs.Add(Fixed(value, shapes[i++]));
            }
            return _outputCopier.Run(names, fixedInputs);
        }
        finally
        {
            foreach (var f in fixedInputs)
            {
                f.Dispose();
            }
        }
    }

    /// <summary>A fixed-buffer view of an output's memory, typed as its elements (a byte view would be read as uint8).</summary>
    private static FixedBufferOnnxValue Fixed(OrtValue value, OrtTensorTypeAndShapeInfo shape) => shape.ElementDataType switch
    {
        TensorElementType.Float => Fixed<float>(value, shape),
        TensorElementType.Float16 => Fixed<Float16>(value, shape),
        TensorElementType.BFloat16 => Fixed<BFloat16>(value, shape),
        TensorElementType.Double => Fixed<double>(value, shape),
        TensorElementType.Int64 => Fixed<long>(value, shape),
        TensorElementType.Int32 => Fixed<int>(value, shape),
        TensorElementType.Int16 => Fixed<short>(value, shape),
        TensorElementType.Int8 => Fixed<sbyte>(value, shape),
        TensorElementType.UInt64 => Fixed<ulong>(value, shape),
        TensorElementType.UInt32 => Fixed<uint>(value, shape),
        TensorElementType.UInt16 => Fixed<ushort>(value, shape),
        TensorElementType.UInt8 => Fixed<byte>(value, shape),
        TensorElementType.Bool => Fixed<bool>(value, shape),
        var other => throw new NotSupportedException($"Output of element type {other} cannot be returned as a NamedOnnxValue; use Run(IReadOnlyDictionary<string, OrtValue>)."),
    };

    private static unsafe FixedBufferOnnxValue Fixed<T>(OrtValue value, OrtTensorTypeAndShapeInfo shape) where T : unmanaged
    {
        var raw = value.GetTensorMutableRawData();
        var manager = new NativeMemoryManager<T>((IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw)), raw.Length / sizeof(T));
        return FixedBufferOnnxValue.CreateFromMemory(OrtMemoryInfo.DefaultInstance, manager.Memory, shape.ElementDataType, shape.Shape, raw.Length);
    }

    private OnnxModel CopierModel(IReadOnlyList<OrtTensorTypeAndShapeInfo> shapes)
    {
        var b = new GraphBuilder("copy_outputs");
        var i = 0;
        foreach (var name in OutputNames)
        {
            var k = i;
            var dims = Enumerable.Range(0, shapes[k].Shape.Length).Select(d => (object)$"o{k}_d{d}").ToArray();
            var input = b.Input($"in_{i++}", (OnnxElementType)(int)shapes[k].ElementDataType, dims);
            b.Output(b.Identity(input), name);
        }
        return b.Build();
    }
}
