using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

/// <summary>
/// An immutable, validated view of an ONNX graph for analysis: nodes in topological order, the producer and
/// consumers of every tensor, initializers, constants, graph inputs and outputs, and the outer-scope names that
/// If / Loop / Scan bodies read.
/// </summary>
public sealed class OnnxGraph
{
    private static readonly IReadOnlyList<OnnxNode> NoNodes = Array.Empty<OnnxNode>();

    private readonly Dictionary<string, OnnxNode> _producers;
    private readonly Dictionary<string, List<OnnxNode>> _consumers;
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly Dictionary<string, ValueInfoProto> _valueInfos;
    private readonly Dictionary<OnnxNode, IReadOnlyList<string>> _implicitInputs;

    private OnnxGraph(
        GraphProto proto,
        IReadOnlyList<OnnxNode> nodes,
        Dictionary<string, OnnxNode> producers,
        Dictionary<string, List<OnnxNode>> consumers,
        Dictionary<string, TensorProto> initializers,
        Dictionary<string, ValueInfoProto> valueInfos,
        IReadOnlyList<ValueInfoProto> inputs,
        IReadOnlySet<string> outerScopeNames,
        Dictionary<OnnxNode, IReadOnlyList<string>> implicitInputs)
    {
        Proto = proto;
        Nodes = nodes;
        _producers = producers;
        _consumers = consumers;
        _initializers = initializers;
        _valueInfos = valueInfos;
        Inputs = inputs;
        OuterScopeNames = outerScopeNames;
        _implicitInputs = implicitInputs;
    }

    /// <summary>The graph message (do not modify).</summary>
    public GraphProto Proto { get; }

    /// <summary>Nodes in a topological order (the file's order where it already is one).</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Graph inputs that are not initializers.</summary>
    public IReadOnlyList<ValueInfoProto> Inputs { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<ValueInfoProto> Outputs => Proto.Output;

    /// <summary>Initializers by name.</summary>
    public IReadOnlyDictionary<string, TensorProto> Initializers => _initializers;

    /// <summary>Names this graph reads but does not define (non-empty only for subgraphs).</summary>
    public IReadOnlySet<string> OuterScopeNames { get; }

    /// <summary>
    /// Builds the view and validates it: unique tensor names, every input defined, no cycle.
    /// </summary>
    /// <param name="graph">The graph message.</param>
    /// <param name="filePath">The model file, for messages.</param>
    /// <param name="outerScope">Names visible from an enclosing graph (for subgraphs).</param>
    /// <exception cref="OnnxFormatException">A name is defined twice, an input is undefined, or the graph has a cycle.</exception>
    public static OnnxGraph Create(GraphProto graph, string? filePath = null, IReadOnlySet<string>? outerScope = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var where = string.IsNullOrEmpty(graph.Name) ? "graph" : $"graph '{graph.Name}'";
        var definedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        void Define(string name, string what)
        {
            if (string.IsNullOrEmpty(name))
            {
                return;
            }
            if (!definedBy.TryAdd(name, what))
            {
                throw new OnnxFormatException(
                    $"{where}: duplicate tensor name '{name}': defined by {definedBy[name]} and again by {what}; expected each name once.",
                    filePath);
            }
        }

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer)
        {
            Define(t.Name, "an initializer");
            initializers[t.Name] = t;
        }
        var inputs = new List<ValueInfoProto>();
        var inputNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            if (!inputNames.Add(input.Name))
            {
                throw new OnnxFormatException($"{where}: duplicate graph input '{input.Name}'.", filePath);
            }
            if (initializers.ContainsKey(input.Name))
            {
                continue; // An input with a default value (an initializer of the same name).
            }
            Define(input.Name, "a graph input");
            inputs.Add(input);
        }
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            foreach (var output in node.Output)
            {
                Define(output, $"node {Label(node, i)}");
            }
        }

        var outputNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in graph.Output)
        {
            if (!outputNames.Add(output.Name))
            {
                throw new OnnxFormatException(
                    $"{where}: graph output '{output.Name}' is listed twice; expected each output once.", filePath);
            }
            if (outerScope is null && !definedBy.ContainsKey(output.Name) && !inputNames.Contains(output.Name))
            {
                throw new OnnxFormatException(
                    $"{where}: graph output '{output.Name}' is not defined by any node, initializer or graph input.", filePath);
            }
        }

        // Names visible inside subgraphs: everything this graph defines plus what its own outer scope offers.
        var visible = new HashSet<string>(definedBy.Keys, StringComparer.Ordinal);
        if (outerScope is not null)
        {
            visible.UnionWith(outerScope);
        }
        var subgraphsOf = new List<OnnxGraph>[graph.Node.Count];
        var implicitOf = new List<string>[graph.Node.Count];
        var usedFromOuter = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            subgraphsOf[i] = new List<OnnxGraph>();
            implicitOf[i] = new List<string>();
            foreach (var attribute in graph.Node[i].Attribute)
            {
                var bodies = attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G);
                foreach (var body in bodies)
                {
                    var sub = Create(body, filePath, visible);
                    subgraphsOf[i].Add(sub);
                    foreach (var name in sub.OuterScopeNames)
                    {
                        if (!implicitOf[i].Contains(name))
                        {
                            implicitOf[i].Add(name);
                        }
                    }
                }
            }
        }

        // Kahn's algorithm, always taking the lowest file index that is ready, so a sorted file keeps its order.
        var producerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            foreach (var output in graph.Node[i].Output)
            {
                if (!string.IsNullOrEmpty(output))
                {
                    producerIndex[output] = i;
                }
            }
        }
        var pending = new int[graph.Node.Count];
        var dependents = new List<int>[graph.Node.Count];
        for (var i = 0; i < graph.Node.Count; i++)
        {
            dependents[i] = new List<int>();
        }
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            foreach (var input in node.Input.Concat(implicitOf[i]))
            {
                if (string.IsNullOrEmpty(input))
                {
                    continue;
                }
                if (producerIndex.TryGetValue(input, out var p))
                {
                    pending[i]++;
                    dependents[p].Add(i);
                }
                else if (!definedBy.ContainsKey(input))
                {
                    if (outerScope is not null && outerScope.Contains(input))
                    {
                        usedFromOuter.Add(input);
                    }
                    else
                    {
                        throw new OnnxFormatException(
                            $"{where}: node {Label(node, i)} reads tensor '{input}', which no node, initializer or graph input defines.",
                            filePath);
                    }
                }
            }
        }
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < graph.Node.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }
        var order = new List<int>(graph.Node.Count);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(i);
            foreach (var d in dependents[i])
            {
                if (--pending[d] == 0)
                {
                    ready.Enqueue(d, d);
                }
            }
        }
        if (order.Count != graph.Node.Count)
        {
            var stuck = Enumerable.Range(0, graph.Node.Count).Where(i => pending[i] > 0).Take(5)
                .Select(i => Label(graph.Node[i], i));
            throw new OnnxFormatException(
                $"{where} is not a DAG: nodes {string.Join(", ", stuck)} form a cycle or depend on one; expected an acyclic graph.",
                filePath);
        }

        var nodes = new List<OnnxNode>(order.Count);
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        var implicitInputs = new Dictionary<OnnxNode, IReadOnlyList<string>>();
        foreach (var i in order)
        {
            var node = new OnnxNode(graph.Node[i], nodes.Count, subgraphsOf[i]);
            nodes.Add(node);
            implicitInputs[node] = implicitOf[i];
            foreach (var output in node.Outputs)
            {
                if (!string.IsNullOrEmpty(output))
                {
                    producers[output] = node;
                }
            }
            foreach (var input in node.Inputs.Concat(implicitOf[i]).Where(n => !string.IsNullOrEmpty(n)).Distinct())
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = new List<OnnxNode>();
                }
                list.Add(node);
            }
        }
        foreach (var sub in subgraphsOf.SelectMany(s => s))
        {
            foreach (var name in sub.OuterScopeNames)
            {
                if (!definedBy.ContainsKey(name))
                {
                    usedFromOuter.Add(name);
                }
            }
        }
        foreach (var output in graph.Output)
        {
            if (!definedBy.ContainsKey(output.Name) && !(outerScope?.Contains(output.Name) ?? false))
            {
                throw new OnnxFormatException(
                    $"{where}: graph output '{output.Name}' is not produced by any node, initializer or input.", filePath);
            }
        }

        var valueInfos = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var v in graph.ValueInfo.Concat(graph.Input).Concat(graph.Output))
        {
            valueInfos[v.Name] = v;
        }
        return new OnnxGraph(graph, nodes, producers, consumers, initializers, valueInfos, inputs, usedFromOuter, implicitInputs);
    }

    /// <summary>The node that produces <paramref name="tensor"/>, or null (input, initializer, outer scope).</summary>
    public OnnxNode? GetProducer(string tensor) => _producers.GetValueOrDefault(tensor);

    /// <summary>Nodes that read <paramref name="tensor"/>, directly or inside their subgraphs, in topological order.</summary>
    public IReadOnlyList<OnnxNode> GetConsumers(string tensor) =>
        _consumers.TryGetValue(tensor, out var list) ? list : NoNodes;

    /// <summary>Outer-scope names read by a node's subgraphs (empty for ordinary nodes).</summary>
    public IReadOnlyList<string> GetImplicitInputs(OnnxNode node) => _implicitInputs[node];

    /// <summary>Whether the name is an initializer.</summary>
    public bool IsInitializer(string tensor) => _initializers.ContainsKey(tensor);

    /// <summary>Whether the tensor is a constant: an initializer or the output of a Constant node.</summary>
    public bool IsConstant(string tensor) =>
        _initializers.ContainsKey(tensor) || GetProducer(tensor) is { OpType: "Constant", Domain: "" };

    /// <summary>The initializer of that name.</summary>
    /// <exception cref="KeyNotFoundException">No such initializer.</exception>
    public TensorProto GetInitializer(string name) =>
        _initializers.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No initializer named '{name}'.");

    /// <summary>The declared type and shape of a tensor (from inputs, outputs or value_info), or null.</summary>
    public ValueInfoProto? GetValueInfo(string tensor) => _valueInfos.GetValueOrDefault(tensor);

    /// <summary>Whether the name is a graph input (not an initializer).</summary>
    public bool IsGraphInput(string tensor) => Inputs.Any(i => i.Name == tensor);

    /// <summary>Whether the name is a graph output.</summary>
    public bool IsGraphOutput(string tensor) => Proto.Output.Any(o => o.Name == tensor);

    private static string Label(NodeProto node, int index) =>
        string.IsNullOrEmpty(node.Name) ? $"#{index} ({node.OpType})" : $"'{node.Name}' ({node.OpType})";
}
