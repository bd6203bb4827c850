using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// Concrete shapes of every tensor of a graph for one set of input shapes, the values of the small tensors that are
/// known before running, and which nodes are therefore folded away (they compute only such values).
/// </summary>
internal sealed class GraphShapes
{
    private readonly Dictionary<string, TensorInfo> _infos;
    private readonly Dictionary<string, KnownValue> _values;

    private GraphShapes(OnnxGraph graph, Dictionary<string, TensorInfo> infos, Dictionary<string, KnownValue> values, HashSet<OnnxNode> folded)
    {
        Graph = graph;
        _infos = infos;
        _values = values;
        Folded = folded;
    }

    public OnnxGraph Graph { get; }

    /// <summary>Nodes whose every output is a known value; they never run.</summary>
    public IReadOnlySet<OnnxNode> Folded { get; }

    public TensorInfo Info(string tensor) =>
        _infos.TryGetValue(tensor, out var t) ? t : throw new PlanningException($"No shape is known for tensor '{tensor}'.");

    public bool TryInfo(string tensor, out TensorInfo info) => _infos.TryGetValue(tensor, out info!);

    public KnownValue? Value(string tensor) => tensor.Length > 0 ? _values.GetValueOrDefault(tensor) : null;

    /// <summary>Whether a tensor is known before running (a folded value), not data.</summary>
    public bool IsKnown(string tensor) => _values.ContainsKey(tensor);

    public NodeContext Context(OnnxNode node, long opset) => new(
        node,
        node.Inputs.Select(i => i.Length == 0 ? null : _infos.GetValueOrDefault(i)).ToArray(),
        node.Inputs.Select(Value).ToArray(),
        opset,
        node.Outputs.Select(o => o.Length == 0 ? null! : _infos[o]).ToArray());

    /// <summary>Infers every tensor's shape from the inputs' shapes (and the values of small integer inputs).</summary>
    /// <exception cref="PlanningException">A shape depends on the data, or the shapes do not fit together.</exception>
    public static GraphShapes Infer(OnnxModel model, IReadOnlyDictionary<string, TensorInfo> inputs,
        IReadOnlyDictionary<string, KnownValue>? inputValues = null)
    {
        var graph = model.Graph;
        var opset = model.OpsetVersion;
        var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var values = new Dictionary<string, KnownValue>(StringComparer.Ordinal);
        foreach (var input in graph.Inputs)
        {
            if (!inputs.TryGetValue(input.Name, out var info))
            {
                throw new PlanningException($"Input '{input.Name}' was not given.");
            }
            info.CheckSize(input.Name, "graph input");
            infos[input.Name] = info;
            if (inputValues?.GetValueOrDefault(input.Name) is { } v)
            {
                values[input.Name] = v;
            }
        }
        foreach (var (name, tensor) in graph.Initializers)
        {
            if (infos.ContainsKey(name))
            {
                continue; // an input with a default; the caller's value wins
            }
            var info = new TensorInfo(tensor.GetElementType(model.FilePath), tensor.GetDims());
            info.CheckSize(name, "initializer");
            infos[name] = info;
            if (info.Elements <= ValueEvaluator.MaxElements && info.Type != OnnxElementType.String)
            {
                var bytes = model.ReadTensorBytes(tensor).Span;
                values[name] = OnnxElementTypes.IsFloatingPoint(info.Type)
                    ? KnownValue.Reals(info.Type, info.Dims, TensorValues.ToFloat(bytes, info.Type).Select(f => (double)f).ToArray())
                    : KnownValue.Integers(info.Type, info.Dims, TensorValues.ToInt64(bytes, info.Type));
            }
        }
        var folded = new HashSet<OnnxNode>();
        Dictionary<string, TensorInfo>? fromRuntime = null;
        TensorInfo[] FromRuntime(OnnxNode node, PlanningException? ruleError)
        {
            // One probe for this node and every later node the registry cannot infer; a node it still misses gets a
            // probe of its own, which then sees every shape inferred so far. This node is named itself: it may have a
            // rule that failed (a value it cannot know) with no rule-less node after it.
            var outputs = node.Outputs.Where(o => o.Length > 0).ToList();
            try
            {
                fromRuntime ??= OrtShapeInference.Infer(model, infos, values,
                    outputs.Concat(graph.Nodes.Where(n => n.Index > node.Index && NeedsRuntime(n)).SelectMany(n => n.Outputs).Where(o => o.Length > 0)).ToList());
                if (outputs.Any(o => !fromRuntime.ContainsKey(o)))
                {
                    foreach (var (name, info) in OrtShapeInference.Infer(model, infos, values, outputs))
                    {
                        fromRuntime[name] = info;
                    }
                }
            }
            catch (PlanningException) when (ruleError is not null)
            {
                // The rule's own reason (a shape that depends on the data) says more than the runtime's load error.
                throw ruleError;
            }
            var missing = outputs.FirstOrDefault(o => !fromRuntime.ContainsKey(o));
            if (missing is not null)
            {
                throw ruleError ?? new PlanningException(
                    $"{node.Describe()}: the shape of '{missing}' is not known before running (it depends on the data); nothing after it can be planned.");
            }
            return node.Outputs.Select(o => o.Length == 0 ? null! : fromRuntime[o]).ToArray();
        }
        foreach (var node in graph.Nodes)
        {
            var context = new NodeContext(
                node,
                node.Inputs.Select(i => i.Length == 0 ? null : infos.GetValueOrDefault(i)).ToArray(),
                node.Inputs.Select(i => i.Length == 0 ? null : values.GetValueOrDefault(i)).ToArray(),
                opset);
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i].Length > 0 && context.Inputs[i] is null)
                {
                    throw new PlanningException($"{node.Describe()}: no shape for input '{node.Inputs[i]}'.");
                }
            }
            TensorInfo[] outputs;
            if (NeedsRuntime(node))
            {
                outputs = FromRuntime(node, null);
            }
            else
            {
                try
                {
                    outputs = OperatorRegistry.Find(node)!.Shape!(context);
                }
                catch (TensorSizeException)
                {
                    throw;
                }
                catch (OverflowException e)
                {
                    throw new TensorSizeException(
                        $"{node.Describe()}: the shape arithmetic overflows 64 bits for inputs " +
                        $"[{string.Join(", ", context.Inputs.Select(i => i?.ToString() ?? "none"))}].", e);
                }
                catch (Exception e) when (e is PlanningException or IndexOutOfRangeException or InvalidOperationException or ArgumentException or NullReferenceException)
                {
                    // A rule that needs a value it cannot know (a Reshape target computed by an operator without a value
                    // rule): ONNX Runtime may still infer the shape.
                    outputs = FromRuntime(node, e as PlanningException ?? new PlanningException($"{node.Describe()}: shape inference failed ({e.Message}).", e));
                }
            }
            var allKnown = true;
            for (var o = 0; o < node.Outputs.Count; o++)
            {
                var name = node.Outputs[o];
                if (name.Length == 0)
                {
                    continue;
                }
                outputs[o].CheckSize(name, node.Describe());
                infos[name] = outputs[o];
                var value = node.Outputs.Count == 1 && !NeedsRuntime(node) ? ValueEvaluator.TryEvaluate(context, outputs[o]) : null;
                if (value is null)
                {
                    allKnown = false;
                }
                else
                {
                    values[name] = value;
                }
            }
            if (allKnown)
            {
                folded.Add(node);
            }
        }
        return new GraphShapes(graph, infos, values, folded);
    }

    /// <summary>Nodes whose shapes come from ONNX Runtime: no shape rule here, or subgraphs.</summary>
    private static bool NeedsRuntime(OnnxNode node) => node.Subgraphs.Count > 0 || OperatorRegistry.Find(node)?.Shape is null;
}
