using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;
using Fme.MLNet.Streamlining.Execution;
using Fme.MLNet.Streamlining.Planning;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining;

/// <summary>
/// Runs an ONNX model through the streamlined executor: for the concrete input shapes of each call it plans operator
/// groups and cuts (<see cref="GetPlan"/>), then runs each group piece by piece in its own ONNX Runtime session, so only
/// one piece's intermediates exist at a time. The outputs equal a plain session's up to float rounding unless
/// approximate cuts are allowed. A drop-in for <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/>.
/// Holds native sessions and memory: dispose it. Plans and their sessions are cached per input shape (the
/// <see cref="PlanCacheSize"/> most recent). Not safe for concurrent runs: a run started while another is in progress
/// throws <see cref="InvalidOperationException"/>; use one instance per thread.
/// </summary>
public sealed partial class StreamlinedSession : IDisposable
{
    private readonly OnnxModel _model;
    private readonly SessionOptions _options;
    private readonly bool _ownsOptions;
    private readonly PrePackedWeightsContainer _container = new();
    private readonly SharedWeights _shared = new();
    private readonly LinkedList<(string Key, ExecutionPlan Plan)> _plans = new();
    private InferenceSession? _wholeModel;
    private bool _disposed;

    private StreamlinedSession(OnnxModel model, StreamlineOptions options, SessionOptions? sessionOptions)
    {
        _model = model;
        Options = options;
        _ownsOptions = sessionOptions is null;
        _options = sessionOptions ?? OrtThreading.CreateDefaultOptions();
        if (model.BaseDirectory is { } folder)
        {
            _options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", folder);
        }
        InputMetadata = model.Graph.Inputs.ToDictionary(i => i.Name, Metadata);
        OutputMetadata = model.Graph.Outputs.ToDictionary(o => o.Name, Metadata);
    }

    /// <summary>
    /// Opens a model file (external data allowed, and kept inside the model's folder). Nothing is planned or loaded into
    /// ONNX Runtime until the first <see cref="Run(IReadOnlyCollection{NamedOnnxValue})"/> or <see cref="GetPlan"/>.
    /// </summary>
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="options">How to cut; <see cref="StreamlineOptions.Default"/> when null.</param>
    /// <param name="sessionOptions">
    /// Options for every group session (execution providers, threads). When given, the executor adds its entries to them
    /// (the external-data folder, shared weights); keep them alive and unchanged until this session is disposed. When
    /// null, CPU options without a memory arena are used.
    /// </param>
    /// <exception cref="OnnxFormatException">The file is not a valid ONNX model.</exception>
    public static StreamlinedSession Create(string modelPath, StreamlineOptions? options = null, SessionOptions? sessionOptions = null) =>
        new(OnnxModel.Load(modelPath), options ?? StreamlineOptions.Default, sessionOptions);

    /// <summary>Like <see cref="Create(string, StreamlineOptions?, SessionOptions?)"/>, for a model already loaded or built in memory.</summary>
    public static StreamlinedSession Create(OnnxModel model, StreamlineOptions? options = null, SessionOptions? sessionOptions = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _ = model.Graph; // validates
        return new StreamlinedSession(model, options ?? StreamlineOptions.Default, sessionOptions);
    }

    /// <summary>How this session cuts.</summary>
    public StreamlineOptions Options { get; }

    /// <summary>The model's inputs, by name.</summary>
    public IReadOnlyDictionary<string, TensorMetadata> InputMetadata { get; }

    /// <summary>The model's outputs, by name.</summary>
    public IReadOnlyDictionary<string, TensorMetadata> OutputMetadata { get; }

    /// <summary>The model's output names in order.</summary>
    public IReadOnlyList<string> OutputNames => _model.Graph.Outputs.Select(o => o.Name).ToList();

    /// <summary>The plan of the last run, or null before the first.</summary>
    public StreamlinedPlan? Plan { get; private set; }

    /// <summary>How many plans (with their sessions) are kept for reuse; the least recently used goes first. Default 2.</summary>
    public int PlanCacheSize { get; init; } = 2;

    /// <summary>Bytes of weights loaded once and shared by several group sessions.</summary>
    public long SharedWeightBytes => _shared.Bytes;

    /// <summary>
    /// Plans the model for the given input shapes without running it (no sessions are created).
    /// </summary>
    /// <param name="inputShapes">Shape of every input.</param>
    /// <param name="integerInputs">Values of small integer inputs that shapes depend on (for example <c>num_frames</c>).</param>
    /// <exception cref="ArgumentException">An input is missing or does not fit the model.</exception>
    /// <exception cref="PlanningException">No plan fits the memory budget.</exception>
    public StreamlinedPlan GetPlan(IReadOnlyDictionary<string, long[]> inputShapes, IReadOnlyDictionary<string, long[]>? integerInputs = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var (name, meta) in InputMetadata)
        {
            if (!inputShapes.TryGetValue(name, out var dims))
            {
                throw new ArgumentException($"Input '{name}' ({meta}) has no shape; give every input.", nameof(inputShapes));
            }
            infos[name] = CheckInput(name, meta.ElementType, dims);
        }
        return Planner.Make(_model, infos, ToKnown(integerInputs, infos), Options).Plan;
    }

    private static Dictionary<string, KnownValue> ToKnown(IReadOnlyDictionary<string, long[]>? values, IReadOnlyDictionary<string, TensorInfo> infos) =>
        values?.ToDictionary(kv => kv.Key, kv => KnownValue.Integers(infos[kv.Key].Type, infos[kv.Key].Dims, kv.Value)) ?? new();

    private TensorInfo CheckInput(string name, OnnxElementType type, long[] dims)
    {
        var meta = InputMetadata.TryGetValue(name, out var m)
            ? m
            : throw new ArgumentException($"The model has no input '{name}'; its inputs are [{string.Join(", ", InputMetadata.Keys)}].", nameof(name));
        var fits = type == meta.ElementType && dims.Length == meta.Dimensions.Count &&
                   dims.Select((d, i) => meta.Dimensions[i] < 0 || meta.Dimensions[i] == d).All(b => b) && dims.All(d => d >= 0);
        if (!fits)
        {
            throw new ArgumentException(
                $"Input '{name}': expected {meta}, found {OnnxElementTypes.Name(type)} [{string.Join(", ", dims)}].", nameof(name));
        }
        return new TensorInfo(type, dims);
    }

    private static TensorMetadata Metadata(Onnx.Proto.ValueInfoProto v)
    {
        var tensor = v.Type?.TensorType;
        var dims = tensor?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1L).ToList() ?? [];
        var names = tensor?.Shape?.Dim.Select(d => d.HasDimParam ? d.DimParam : "").ToList() ?? [];
        return new TensorMetadata((OnnxElementType)(tensor?.ElemType ?? 0), dims, names);
    }

    /// <summary>The cached plan for these inputs, creating its sessions on first use.</summary>
    private ExecutionPlan GetExecutionPlan(IReadOnlyDictionary<string, TensorInfo> infos, IReadOnlyDictionary<string, KnownValue> values)
    {
        var key = string.Join(";", infos.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            $"{kv.Key}:{string.Join(",", kv.Value.Dims)}" + (values.TryGetValue(kv.Key, out var v) ? "=" + string.Join(",", v.Ints!) : "")));
        for (var node = _plans.First; node is not null; node = node.Next)
        {
            if (node.Value.Key == key)
            {
                _plans.Remove(node);
                _plans.AddFirst(node);
                return node.Value.Plan;
            }
        }
        var planning = Planner.Make(_model, infos, values, Options);
        if (planning.Context is not null)
        {
            _shared.AddFor(_model, planning.Groups, _options);
        }
        var plan = new ExecutionPlan(_model, planning, _options, _container);
        _plans.AddFirst((key, plan));
        while (_plans.Count > Math.Max(1, PlanCacheSize))
        {
            _plans.Last!.Value.Plan.Dispose();
            _plans.RemoveLast();
        }
        return plan;
    }

    /// <summary>A plain session over the whole model, for models the executor cannot plan.</summary>
    private InferenceSession WholeModel()
    {
        if (_wholeModel is null)
        {
            _model.CheckExternalData();
            _wholeModel = _model.FilePath is { } path
                ? new InferenceSession(path, _options, _container)
                : new InferenceSession(_model.ToBytes(), _options, _container);
        }
        return _wholeModel;
    }

    /// <summary>Releases every session, the shared weights and (if created here) the session options.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var (_, plan) in _plans)
        {
            plan.Dispose();
        }
        _plans.Clear();
        _wholeModel?.Dispose();
        _outputCopier?.Dispose();
        _shared.Dispose();
        _container.Dispose();
        if (_ownsOptions)
        {
            _options.Dispose();
        }
    }
}
