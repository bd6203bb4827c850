using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Planning;

/// <summary>A group as the executor needs it: its units, its boundary tensors and how each is cut.</summary>
internal sealed class PlannedGroup
{
    public PlannedGroup(int index, IReadOnlyList<AnalysisNode> units, CutKind kind, int pieces, long units_,
        IReadOnlyDictionary<string, int> cutAxes, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        IReadOnlyList<AnalysisNode> twoPass, IReadOnlyList<AnalysisNode> approximate, IReadOnlyDictionary<AnalysisNode, CutLink> links)
    {
        Index = index;
        Units = units;
        Kind = kind;
        Pieces = pieces;
        CutUnits = units_;
        CutAxes = cutAxes;
        Inputs = inputs;
        Outputs = outputs;
        TwoPass = twoPass;
        Approximate = approximate;
        Links = links;
    }

    public int Index { get; set; }

    /// <summary>Units in topological order.</summary>
    public IReadOnlyList<AnalysisNode> Units { get; }

    public CutKind Kind { get; }

    /// <summary>Number of pieces (1: the group runs whole).</summary>
    public int Pieces { get; set; }

    /// <summary>The cut is made in this many equal units (the GCD of the cut lengths); pieces are ranges of units.</summary>
    public long CutUnits { get; }

    /// <summary>Axis of every cut tensor (inputs, outputs and internal tensors); tensors not listed are whole.</summary>
    public IReadOnlyDictionary<string, int> CutAxes { get; }

    /// <summary>Full tensors the group reads (graph inputs or earlier groups' outputs).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Full tensors the group writes (read by later groups or graph outputs).</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Normalisations whose statistics are computed over their whole input before the pieces run.</summary>
    public IReadOnlyList<AnalysisNode> TwoPass { get; }

    /// <summary>The two-pass normalisations whose input exists only in pieces: a streaming pass over the pieces gives their statistics.</summary>
    public IReadOnlySet<AnalysisNode> Streamed { get; init; } = new HashSet<AnalysisNode>();

    /// <summary>Normalisations cut with per-piece statistics (only with approximate cuts allowed).</summary>
    public IReadOnlyList<AnalysisNode> Approximate { get; }

    /// <summary>
    /// Outputs written into the memory of an input that dies with this group (same shape and cut): each piece of the output
    /// goes to a small buffer first and is copied over the input's piece once that piece has run, so the pair needs one full
    /// tensor instead of two.
    /// </summary>
    public Dictionary<string, string> Reuses { get; } = new(StringComparer.Ordinal);

    /// <summary>Predicted working sets by (pieces, reused outputs), filled by the memory model.</summary>
    internal Dictionary<(int Pieces, int Reuses), long> WorkingSetCache { get; } = new();

    /// <summary>The link each unit is cut along.</summary>
    public IReadOnlyDictionary<AnalysisNode, CutLink> Links { get; }

    public bool IsCut => Pieces > 1;

    /// <summary>Unit ranges of each piece: as even as possible, larger pieces first (14 in 4: 4, 4, 3, 3).</summary>
    public (long Start, long Count)[] PieceRanges()
    {
        var ranges = new (long, long)[Pieces];
        var start = 0L;
        for (var p = 0; p < Pieces; p++)
        {
            var count = CutUnits / Pieces + (p < CutUnits % Pieces ? 1 : 0);
            ranges[p] = (start, count);
            start += count;
        }
        return ranges;
    }

    /// <summary>Length of the largest piece of a tensor of <paramref name="info"/> cut along <paramref name="axis"/>.</summary>
    public long LargestPiece(TensorInfo info, int axis) => info.Dims[axis] / CutUnits * ((CutUnits + Pieces - 1) / Pieces);
}
