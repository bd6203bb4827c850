using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Planning;

/// <summary>Everything the grouping passes read: the graph, its shapes, the analysis units and the options.</summary>
internal sealed class PlanningContext
{
    private readonly Dictionary<string, List<AnalysisNode>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<AnalysisNode, int> _maxPieces = new();

    public PlanningContext(OnnxGraph graph, GraphShapes shapes, IReadOnlyList<AnalysisNode> units, AxisProvenance provenance,
        StreamlineOptions options)
    {
        Graph = graph;
        Shapes = shapes;
        Units = units;
        Provenance = provenance;
        Options = options;
        foreach (var unit in units)
        {
            foreach (var input in unit.Inputs.Where(i => i.Length > 0).Distinct())
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = new List<AnalysisNode>();
                }
                list.Add(unit);
            }
        }
        FinestRequest = Math.Min(options.FrameChunks, options.PixelChunks);
    }

    public OnnxGraph Graph { get; }

    public GraphShapes Shapes { get; }

    public IReadOnlyList<AnalysisNode> Units { get; }

    public AxisProvenance Provenance { get; }

    public StreamlineOptions Options { get; }

    /// <summary>The smaller of the two piece counts asked for: groups cut coarser than this are "coarse".</summary>
    public int FinestRequest { get; }

    public IReadOnlyList<AnalysisNode> Consumers(string tensor) =>
        _consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>Whether anything reads the tensor (a unit or the graph's outputs).</summary>
    public bool IsUsed(string tensor) => _consumers.ContainsKey(tensor) || Graph.IsGraphOutput(tensor);

    /// <summary>What a cut along this link means: the kind of its first cut output (else input).</summary>
    public CutKind KindOf(AnalysisNode unit, CutLink link)
    {
        var slots = unit.Inputs.Concat(unit.Outputs).ToArray();
        for (var s = slots.Length - 1; s >= 0; s--)
        {
            if (link.Axes[s] is { } axis && slots[s].Length > 0)
            {
                return Provenance.Kind(slots[s], axis);
            }
        }
        return CutKind.Other;
    }

    /// <summary>The most pieces any one of the unit's cuts could give, capped by what the options ask for that kind.</summary>
    public int MaxPieces(AnalysisNode unit)
    {
        if (_maxPieces.TryGetValue(unit, out var cached))
        {
            return cached;
        }
        var best = 1;
        var slots = unit.Inputs.Concat(unit.Outputs).ToArray();
        foreach (var link in unit.Links.Where(l => l.IsCut))
        {
            long length = long.MaxValue;
            for (var s = 0; s < slots.Length; s++)
            {
                if (link.Axes[s] is { } axis && slots[s].Length > 0 && !Graph.IsInitializer(slots[s]) && !Shapes.IsKnown(slots[s]))
                {
                    length = Math.Min(length, Shapes.Info(slots[s]).Dims[axis]);
                }
            }
            if (length != long.MaxValue)
            {
                best = (int)Math.Max(best, Math.Min(length, Options.PiecesFor(KindOf(unit, link))));
            }
        }
        _maxPieces[unit] = best;
        return best;
    }
}
