using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Rehash;

/// <summary>
/// The skip connections of a UNet graph, found from the graph alone (node names play no part): Concat nodes that join a
/// data tensor with another computed from it (the down path's output and the up path's tensor that came back through
/// the deeper levels), grouped by the skip tensors' spatial size into resolution levels, outermost (largest) first.
/// Step Rehash splits the UNet at <see cref="DeepTensor"/>. An immutable value; holds no session.
/// </summary>
public sealed class UnetSkipStructure
{
    private UnetSkipStructure(IReadOnlyList<ResolutionLevel> levels, IReadOnlyDictionary<string, TensorInfo> mainInfos)
    {
        Levels = levels;
        MainInfos = mainInfos;
    }

    /// <summary>Resolution levels, outermost (largest skip tensors) first; each holds at least one skip concatenation.</summary>
    public IReadOnlyList<ResolutionLevel> Levels { get; }

    /// <summary>Type and shape of every <see cref="SkipConcat.Main"/> tensor (the candidates for the cached tensor).</summary>
    internal IReadOnlyDictionary<string, TensorInfo> MainInfos { get; }

    /// <summary>
    /// The tensor Step Rehash caches when the <paramref name="depth"/> outermost levels are recomputed: the up path's input
    /// to the first skip concatenation of the innermost recomputed level. It is everything the deeper levels contribute.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is not between 1 and the number of levels.</exception>
    public string DeepTensor(int depth)
    {
        if (depth < 1 || depth > Levels.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth,
                $"The rehash depth must be between 1 and {Levels.Count}: the UNet has {Levels.Count} resolution levels with skip " +
                $"connections ({string.Join("; ", Levels)}).");
        }
        return Levels[depth - 1].Concats[0].Main;
    }

    /// <summary>
    /// Finds the skip connections of a UNet for concrete input shapes (spatial sizes tell the levels apart).
    /// </summary>
    /// <param name="unet">The UNet graph.</param>
    /// <param name="inputShapes">The shape of every graph input.</param>
    /// <exception cref="ArgumentException">An input has no shape.</exception>
    /// <exception cref="RehashException">The graph has no skip concatenations, its shapes cannot be inferred, or its levels do not nest as a UNet's.</exception>
    public static UnetSkipStructure Find(OnnxModel unet, IReadOnlyDictionary<string, long[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(inputShapes);
        var graph = unet.Graph;
        var where = unet.FilePath ?? $"graph '{graph.Proto.Name}'";
        var inputs = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        foreach (var input in graph.Inputs)
        {
            var dims = inputShapes.GetValueOrDefault(input.Name)
                ?? throw new ArgumentException($"Input '{input.Name}' of {where} has no shape; give every input's shape.", nameof(inputShapes));
            inputs[input.Name] = new TensorInfo((OnnxElementType)(input.Type?.TensorType?.ElemType ?? 0), dims);
        }
        GraphShapes shapes;
        try
        {
            shapes = GraphShapes.Infer(unet, inputs);
        }
        catch (PlanningException e)
        {
            throw new RehashException(
                $"{where}: Step Rehash needs every tensor's shape to tell the UNet's resolution levels apart, but shape inference failed: {e.Message}", e);
        }

        var concats = graph.Nodes.Where(n => n is { OpType: "Concat", Domain: "" }).Select(n => AsSkip(shapes, n)).OfType<SkipConcat>().ToList();
        if (concats.Count == 0)
        {
            throw new RehashException(
                $"{where}: Step Rehash cannot apply to this graph: it found no skip concatenation (a Concat joining a tensor with another " +
                "computed from it, as a UNet's up path joins the down path's outputs), so there is no deep part to cache. Run it " +
                "without StepRehash.");
        }
        var levels = concats.GroupBy(c => (c.Height, c.Width))
            .OrderByDescending(g => g.Key.Height * g.Key.Width)
            .Select(g => new ResolutionLevel(g.Key.Height, g.Key.Width, g.OrderBy(c => c.NodeIndex).ToList()))
            .ToList();
        for (var i = 0; i + 1 < levels.Count; i++)
        {
            // The up path runs from the innermost level out: every concat of a level comes after those of the levels inside it.
            if (levels[i].Concats[0].NodeIndex < levels[i + 1].Concats[^1].NodeIndex)
            {
                throw new RehashException(
                    $"{where}: the skip concatenations do not nest as a UNet's: level {levels[i]} starts (node #{levels[i].Concats[0].NodeIndex}) " +
                    $"before the inner level {levels[i + 1]} ends (node #{levels[i + 1].Concats[^1].NodeIndex}); expected the up path to " +
                    "finish each level before the next larger one. Step Rehash cannot split this graph.");
            }
        }
        return new UnetSkipStructure(levels, concats.ToDictionary(c => c.Main, c => shapes.Info(c.Main), StringComparer.Ordinal));
    }

    /// <summary>The concat as a skip connection, or null when it is not one.</summary>
    private static SkipConcat? AsSkip(GraphShapes shapes, OnnxNode node)
    {
        if (node.Inputs.Count != 2 || !node.Inputs.All(i => IsSpatialData(shapes, i)))
        {
            return null;
        }
        var (a, b) = (node.Inputs[0], node.Inputs[1]);
        var (infoA, infoB) = (shapes.Info(a), shapes.Info(b));
        if (infoA.Dims[^1] != infoB.Dims[^1] || infoA.Dims[^2] != infoB.Dims[^2])
        {
            return null;
        }
        var (skip, main) = DependsOn(shapes, b, a) ? (a, b) : DependsOn(shapes, a, b) ? (b, a) : (null, null);
        return skip is null ? null : new SkipConcat(node.Index, node.Outputs[0], main!, skip, infoA.Dims[^2], infoA.Dims[^1]);
    }

    private static bool IsSpatialData(GraphShapes shapes, string tensor) =>
        tensor.Length > 0 && !shapes.IsKnown(tensor) && shapes.Graph.GetProducer(tensor) is not null &&
        shapes.TryInfo(tensor, out var info) && info.Rank >= 3 && OnnxElementTypes.IsFloatingPoint(info.Type);

    /// <summary>
    /// Whether <paramref name="tensor"/> is computed from <paramref name="source"/> through data (values known before
    /// running, such as shape arithmetic, do not count). Walks back from the tensor's producer, never past the source's.
    /// </summary>
    private static bool DependsOn(GraphShapes shapes, string tensor, string source)
    {
        var graph = shapes.Graph;
        var floor = graph.GetProducer(source)!.Index;
        var seen = new HashSet<int>();
        var stack = new Stack<OnnxNode>();
        stack.Push(graph.GetProducer(tensor)!);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.Index <= floor || !seen.Add(node.Index))
            {
                continue;
            }
            foreach (var input in node.Inputs)
            {
                if (input == source)
                {
                    return true;
                }
                if (input.Length > 0 && !shapes.IsKnown(input) && graph.GetProducer(input) is { } producer)
                {
                    stack.Push(producer);
                }
            }
        }
        return false;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Levels.Count} resolution levels with skip connections, outermost first: {string.Join("; ", Levels)}";
}
