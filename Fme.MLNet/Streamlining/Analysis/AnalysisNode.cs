using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// The statistics of a normalisation that a two-pass cut computes before the pieces run: per (batch, group),
/// over every axis from 2 on and the channels of the group.
/// </summary>
/// <param name="Input">The normalised tensor, [N, C, ...].</param>
/// <param name="Groups">Number of channel groups G (C for InstanceNormalization).</param>
/// <param name="Epsilon">Variance epsilon.</param>
/// <param name="Scale">Per-group scale tensor (length G).</param>
/// <param name="Bias">Per-group bias tensor (length G).</param>
/// <param name="PerChannel">Scale and bias hold one value per channel (GroupNormalization from opset 21), not per group.</param>
internal sealed record NormStatistics(string Input, long Groups, float Epsilon, string Scale, string Bias, bool PerChannel = false);

/// <summary>
/// A unit of the analysis: one ONNX node, or a recognised pattern of several that acts as one operator
/// (GroupNorm as Reshape(0, G, -1) -> InstanceNormalization -> Reshape back).
/// </summary>
internal sealed class AnalysisNode
{
    public AnalysisNode(int index, IReadOnlyList<OnnxNode> members, string[] inputs, string[] outputs, IReadOnlyList<CutLink> links,
        NormStatistics? norm = null)
    {
        Index = index;
        Members = members;
        Inputs = inputs;
        Outputs = outputs;
        Links = links;
        Norm = norm;
    }

    /// <summary>Position in the analysis order (topological).</summary>
    public int Index { get; }

    /// <summary>The ONNX nodes this unit stands for, in order.</summary>
    public IReadOnlyList<OnnxNode> Members { get; }

    public string[] Inputs { get; }

    public string[] Outputs { get; }

    public IReadOnlyList<CutLink> Links { get; }

    /// <summary>For normalisations: what a two-pass cut must compute first.</summary>
    public NormStatistics? Norm { get; }

    public string OpType => Members.Count == 1 ? Members[0].OpType : "GroupNorm";

    public string Name => Members[0].Name.Length > 0 ? Members[0].Name : $"{OpType}#{Members[0].Index}";

    public override string ToString() => Name;

    /// <summary>Why this unit can only run whole (no cut rule, subgraphs, a whole-tensor statistic); null where it has cuts.</summary>
    public string? WholeReason => Members.Count == 1 ? OperatorRegistry.WholeReason(Members[0]) : null;

    /// <summary>
    /// Builds the analysis units of a graph: folded nodes are dropped, GroupNorm patterns become one unit, every
    /// other node stands alone with its links from the operator table.
    /// </summary>
    public static List<AnalysisNode> Build(GraphShapes shapes, long opset)
    {
        var graph = shapes.Graph;
        var units = new List<AnalysisNode>();
        var absorbed = new HashSet<OnnxNode>();
        foreach (var node in graph.Nodes)
        {
            if (shapes.Folded.Contains(node) && !node.Outputs.Any(graph.IsGraphOutput) || absorbed.Contains(node))
            {
                continue;
            }
            if (TryGroupNorm(shapes, node, units.Count) is { } pattern)
            {
                units.Add(pattern);
                foreach (var m in pattern.Members)
                {
                    absorbed.Add(m);
                }
                continue;
            }
            var context = shapes.Context(node, opset);
            NormStatistics? norm = null;
            if (node.OpType == "InstanceNormalization" && node.Domain.Length == 0)
            {
                norm = new NormStatistics(node.Inputs[0], context.In(0).Dims[1], node.GetFloat("epsilon", 1e-5f), node.Inputs[1], node.Inputs[2]);
            }
            else if (node.OpType == "GroupNormalization" && node.Domain.Length == 0)
            {
                var groups = node.GetInt("num_groups", 1);
                var perChannel = context.In(1).Elements != groups;
                norm = new NormStatistics(node.Inputs[0], groups, node.GetFloat("epsilon", 1e-5f), node.Inputs[1], node.Inputs[2], perChannel);
            }
            // A subgraph reads outer tensors it does not list as inputs: they are inputs of its unit all the same.
            var inputs = node.Inputs.Concat(graph.GetImplicitInputs(node).Where(i => !node.Inputs.Contains(i))).ToArray();
            units.Add(new AnalysisNode(units.Count, [node], inputs, node.Outputs.ToArray(), OperatorRegistry.Links(context), norm));
        }
        return units;
    }

    /// <summary>Reshape(x, [N|0, G, -1]) -> InstanceNormalization(scale, bias) -> Reshape(to x's shape).</summary>
    private static AnalysisNode? TryGroupNorm(GraphShapes shapes, OnnxNode first, int index)
    {
        var graph = shapes.Graph;
        if (first.OpType != "Reshape" || first.Domain.Length != 0 || !shapes.TryInfo(first.Inputs[0], out var x) || x.Rank < 3)
        {
            return null;
        }
        var grouped = shapes.Info(first.Outputs[0]);
        if (grouped.Rank != 3 || grouped.Dims[0] != x.Dims[0] || x.Dims[1] % grouped.Dims[1] != 0)
        {
            return null;
        }
        var consumers = graph.GetConsumers(first.Outputs[0]);
        if (consumers.Count != 1 || consumers[0] is not { OpType: "InstanceNormalization", Domain: "" } norm)
        {
            return null;
        }
        var after = graph.GetConsumers(norm.Outputs[0]);
        if (after.Count != 1 || after[0] is not { OpType: "Reshape", Domain: "" } back || !shapes.Info(back.Outputs[0]).Dims.SequenceEqual(x.Dims) ||
            !graph.IsInitializer(norm.Inputs[1]) || !graph.IsInitializer(norm.Inputs[2]))
        {
            return null;
        }
        // Along the batch axis the pattern cuts exactly; along every axis from 2 on the statistics span the cut.
        var links = Enumerable.Range(0, x.Rank).Where(a => a != 1)
            .Select(a => new CutLink([a, a], a == 0 ? LinkKind.Exact : LinkKind.TwoPass)).ToList();
        var stats = new NormStatistics(first.Inputs[0], grouped.Dims[1], norm.GetFloat("epsilon", 1e-5f), norm.Inputs[1], norm.Inputs[2]);
        return new AnalysisNode(index, [first, norm, back], [first.Inputs[0]], [back.Outputs[0]], links, stats);
    }
}
