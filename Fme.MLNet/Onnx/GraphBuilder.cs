using System.Runtime.InteropServices;
using Fme.MLNet.Onnx.Proto;
using Google.Protobuf;

namespace Fme.MLNet.Onnx;

/// <summary>
/// Writes ONNX graphs in code. Nodes are named after a scope path the way TorchScript exports name them
/// (<c>/down_blocks.0/resnets.0/conv1/Conv</c>), outputs after their node (<c>..._output_0</c>), and every
/// tensor gets a value_info entry with its element type and, with <see cref="RecordShapes"/>, its shape.
/// Typed operator helpers live in the partial files.
/// </summary>
public sealed partial class GraphBuilder
{
    private readonly GraphProto _graph;
    private readonly Stack<string> _scopes = new();
    private readonly Dictionary<string, int> _nodeNameCounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxElementType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KnownTensor> _known = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph.</summary>
    /// <param name="graphName">Name of the graph.</param>
    /// <param name="opsetVersion">Default-domain opset (17 by default, as TorchScript exports use).</param>
    public GraphBuilder(string graphName, int opsetVersion = 17)
    {
        _graph = new GraphProto { Name = graphName };
        OpsetVersion = opsetVersion;
    }

    /// <summary>The default-domain opset the graph is written for.</summary>
    public int OpsetVersion { get; }

    /// <summary>
    /// Whether value_info entries carry shapes from symbolic inference (dims as numbers or as expressions of the inputs'
    /// dim_params, such as <c>batch*num_frames</c>), as TorchScript exports record them. Default false. Large graphs want
    /// it: ONNX Runtime's allocation planner cannot reuse buffers of unknown shape and takes tens of seconds on a graph
    /// of ten thousand such nodes. Known shapes also let ONNX Runtime pick other kernels (NCHWc convolutions), so results
    /// can differ in the last bits from the same graph without shapes.
    /// </summary>
    public bool RecordShapes { get; init; }

    /// <summary>The scope path, as it prefixes node names (<c>/a/b</c>).</summary>
    public string ScopePath => _scopes.Count == 0 ? "" : "/" + string.Join("/", _scopes.Reverse());

    /// <summary>Enters a named scope (a module path component) until the result is disposed.</summary>
    public IDisposable Scope(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _scopes.Push(name);
        return new ScopeExit(this);
    }

    /// <summary>Declares a graph input. Dimensions are numbers (fixed) or strings (named dynamic axes).</summary>
    public GraphValue Input(string name, OnnxElementType type, params object[] dims)
    {
        Claim(name);
        _graph.Input.Add(MakeValueInfo(name, type, dims));
        _types[name] = type;
        var shape = dims.Select(d => d is string s ? SymbolicDim.Named(s) : SymbolicDim.Of(Convert.ToInt64(d))).ToArray();
        // A one-element integer input (a frame count) is a size in its own right: its value is a symbol named after it.
        var oneInteger = type == OnnxElementType.Int64 && shape.All(d => d is { IsConstant: true, Coefficient: 1 });
        _known[name] = new KnownTensor(shape, oneInteger ? [SymbolicDim.Named(name)] : null);
        return new GraphValue(name, type);
    }

    /// <summary>Declares a graph output; renames the value through Identity when <paramref name="name"/> differs.</summary>
    public GraphValue Output(GraphValue value, string? name = null, params object[] dims)
    {
        if (name is not null && name != value.Name)
        {
            Claim(name);
            _graph.Node.Add(MakeNode("Identity", [value.Name], [name], NextNodeName("Identity"), []));
            _types[name] = value.ElementType;
            value = new GraphValue(name, value.ElementType);
        }
        _graph.Output.Add(MakeValueInfo(value.Name, value.ElementType, dims.Length == 0 ? null : dims));
        return value;
    }

    /// <summary>Adds an initializer from raw little-endian bytes.</summary>
    public GraphValue Initializer(string name, OnnxElementType type, long[] dims, ReadOnlySpan<byte> data)
    {
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        if (tensor.GetByteLength() != data.Length)
        {
            throw new ArgumentException(
                $"Initializer '{name}' has {data.Length} bytes; dims [{string.Join(", ", dims)}] of {OnnxElementTypes.Name(type)} need {tensor.GetByteLength()}.",
                nameof(data));
        }
        _graph.Initializer.Add(tensor);
        _types[name] = type;
        _known[name] = SymbolicShapes.FromTensor(tensor);
        return new GraphValue(name, type);
    }

    /// <summary>Adds an initializer whose bytes lie in an external data file (already written, or to be written, by the caller).</summary>
    public GraphValue ExternalInitializer(string name, OnnxElementType type, long[] dims, ExternalDataReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        Claim(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        if (reference.Length is { } length && tensor.GetByteLength() != length)
        {
            throw new ArgumentException(
                $"Initializer '{name}' has {length} external bytes; dims [{string.Join(", ", dims)}] of {OnnxElementTypes.Name(type)} need {tensor.GetByteLength()}.",
                nameof(reference));
        }
        reference.WriteTo(tensor);
        _graph.Initializer.Add(tensor);
        _types[name] = type;
        _known[name] = SymbolicShapes.FromTensor(tensor);
        return new GraphValue(name, type);
    }

    /// <summary>Adds a float32 initializer.</summary>
    public GraphValue Initializer(string name, float[] values, params long[] dims) =>
        Initializer(name, OnnxElementType.Float, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Adds a float16 initializer.</summary>
    public GraphValue Initializer(string name, Half[] values, params long[] dims) =>
        Initializer(name, OnnxElementType.Float16, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>Adds an int64 initializer.</summary>
    public GraphValue Initializer(string name, long[] values, params long[] dims) =>
        Initializer(name, OnnxElementType.Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>
    /// Adds a node of any operator and returns its outputs. Output element types default to the first input's;
    /// give <paramref name="outputTypes"/> where the operator changes them.
    /// </summary>
    public GraphValue[] Node(
        string opType,
        IReadOnlyList<GraphValue?> inputs,
        int outputCount = 1,
        IEnumerable<AttributeProto>? attributes = null,
        IReadOnlyList<OnnxElementType>? outputTypes = null,
        string domain = "")
    {
        var nodeName = NextNodeName(opType);
        var outputs = new GraphValue[outputCount];
        var fallback = inputs.FirstOrDefault(i => i is not null)?.ElementType ?? OnnxElementType.Float;
        var attributeList = attributes?.ToList() ?? [];
        var known = domain.Length == 0
            ? SymbolicShapes.Infer(opType, inputs.Select(i => i is { } v ? _known.GetValueOrDefault(v.Name) : null).ToList(), attributeList, outputCount)
            : new KnownTensor?[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            var name = $"{nodeName}_output_{i}";
            Claim(name);
            var type = outputTypes is null ? fallback : outputTypes[i];
            outputs[i] = new GraphValue(name, type);
            _types[name] = type;
            if (known[i] is { } k)
            {
                _known[name] = k;
            }
            var dims = RecordShapes ? known[i]?.Shape?.Select(d => d.IsConstant ? (object)d.Coefficient : d.Text).ToArray() : null;
            _graph.ValueInfo.Add(MakeValueInfo(name, type, dims));
        }
        var node = MakeNode(opType, inputs.Select(i => i?.Name ?? "").ToArray(), outputs.Select(o => o.Name).ToArray(), nodeName,
            attributeList);
        node.Domain = domain;
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds a single-output node.</summary>
    public GraphValue Node1(string opType, IReadOnlyList<GraphValue?> inputs, params AttributeProto[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Finishes the graph as an in-memory model (IR version 8).</summary>
    public OnnxModel Build(string producerName = "Fme.MLNet")
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = producerName,
            ProducerVersion = typeof(GraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return OnnxModel.FromProto(model);
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"Tensor name '{name}' is already used in this graph.", nameof(name));
        }
    }

    private string NextNodeName(string opType)
    {
        var stem = $"{ScopePath}/{opType}";
        _nodeNameCounts.TryGetValue(stem, out var count);
        _nodeNameCounts[stem] = count + 1;
        return count == 0 ? stem : $"{stem}_{count}";
    }

    private static NodeProto MakeNode(string opType, string[] inputs, string[] outputs, string name, IEnumerable<AttributeProto> attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static ValueInfoProto MakeValueInfo(string name, OnnxElementType type, object[]? dims)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var d in dims)
            {
                tensorType.Shape.Dim.Add(d switch
                {
                    string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                    int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                    long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                    _ => throw new ArgumentException($"Dimension '{d}' must be a number or a name.", nameof(dims)),
                });
            }
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private sealed class ScopeExit(GraphBuilder owner) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                owner._scopes.Pop();
                _done = true;
            }
        }
    }
}
