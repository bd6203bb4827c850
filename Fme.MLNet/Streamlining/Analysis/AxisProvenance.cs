namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// Tracks which input axes every tensor axis is made of (the "atoms" of its length), following every link of the
/// operator table forward, so a cut can be named: frames, pixels or batch. Labels of the graph inputs come from the
/// caller or from their dimension names and ranks.
/// </summary>
internal sealed class AxisProvenance
{
    private readonly Dictionary<string, List<(AxisLabel Label, long Size)>[]> _atoms = new(StringComparer.Ordinal);

    public static AxisProvenance Compute(GraphShapes shapes, IReadOnlyList<AnalysisNode> units,
        IReadOnlyDictionary<string, AxisLabel[]> inputLabels)
    {
        var p = new AxisProvenance();
        foreach (var (name, labels) in inputLabels)
        {
            if (shapes.TryInfo(name, out var info))
            {
                p._atoms[name] = info.Dims.Select((d, a) => a < labels.Length && labels[a] != AxisLabel.Other
                    ? new List<(AxisLabel, long)> { (labels[a], d) }
                    : new List<(AxisLabel, long)>()).ToArray();
            }
        }
        foreach (var unit in units)
        {
            p.Propagate(shapes, unit);
        }
        return p;
    }

    /// <summary>The labels of the atoms of an axis, outermost first.</summary>
    public IReadOnlyList<AxisLabel> Labels(string tensor, int axis) =>
        _atoms.TryGetValue(tensor, out var axes) && axis < axes.Length ? axes[axis].Select(a => a.Label).ToList() : [];

    /// <summary>What a cut along this axis means.</summary>
    public CutKind Kind(string tensor, int axis)
    {
        var labels = Labels(tensor, axis);
        if (labels.Contains(AxisLabel.Height) || labels.Contains(AxisLabel.Width)) return CutKind.Pixels;
        if (labels.Contains(AxisLabel.Frames)) return CutKind.Frames;
        if (labels.Contains(AxisLabel.Batch)) return CutKind.Batch;
        return CutKind.Other;
    }

    private void Propagate(GraphShapes shapes, AnalysisNode unit)
    {
        var inputs = unit.Inputs.Length;
        for (var o = 0; o < unit.Outputs.Length; o++)
        {
            if (unit.Outputs[o].Length == 0 || !shapes.TryInfo(unit.Outputs[o], out var outInfo))
            {
                continue;
            }
            var result = outInfo.Dims.Select(_ => new List<(AxisLabel Label, long Size)>()).ToArray();
            // For each input axis, the output axes it reaches; one input axis reaching several is a split.
            var reach = new Dictionary<(int Slot, int Axis), List<int>>();
            foreach (var link in unit.Links)
            {
                if (link.Axes[inputs + o] is not { } b)
                {
                    continue;
                }
                for (var i = 0; i < inputs; i++)
                {
                    if (link.Axes[i] is { } a && unit.Inputs[i].Length > 0)
                    {
                        if (!reach.TryGetValue((i, a), out var list))
                        {
                            reach[(i, a)] = list = new List<int>();
                        }
                        if (!list.Contains(b))
                        {
                            list.Add(b);
                        }
                    }
                }
            }
            foreach (var ((slot, axis), targets) in reach.OrderBy(kv => kv.Key.Axis))
            {
                if (!_atoms.TryGetValue(unit.Inputs[slot], out var source) || axis >= source.Length)
                {
                    continue;
                }
                var atoms = source[axis];
                if (targets.Count == 1)
                {
                    AddDistinct(result[targets[0]], atoms);
                    continue;
                }
                // A split: hand the atoms out by size, outermost first.
                var queue = new Queue<(AxisLabel, long)>(atoms);
                foreach (var b in targets.Order())
                {
                    long product = 1;
                    while (queue.Count > 0 && product * queue.Peek().Item2 <= outInfo.Dims[b] && product < outInfo.Dims[b])
                    {
                        var atom = queue.Dequeue();
                        product *= atom.Item2;
                        AddDistinct(result[b], [atom]);
                    }
                }
                if (queue.Count > 0)
                {
                    AddDistinct(result[targets.Max()], queue);
                }
            }
            _atoms[unit.Outputs[o]] = result;
        }
    }

    private static void AddDistinct(List<(AxisLabel Label, long Size)> target, IEnumerable<(AxisLabel Label, long Size)> atoms)
    {
        foreach (var atom in atoms)
        {
            if (!target.Any(t => t.Label == atom.Label))
            {
                target.Add(atom);
            }
        }
    }

    /// <summary>
    /// Labels for an input from its dimension names where they say what they are (batch, frames, height, ...), else
    /// from its rank: 5-D [batch, frames, channels, height, width], 4-D [batch, channels, height, width].
    /// </summary>
    public static AxisLabel[] Guess(IReadOnlyList<string?> dimNames)
    {
        var byName = dimNames.Select(FromName).ToArray();
        if (byName.Any(l => l != AxisLabel.Other))
        {
            return byName;
        }
        return dimNames.Count switch
        {
            5 => [AxisLabel.Batch, AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width],
            4 => [AxisLabel.Batch, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width],
            3 => [AxisLabel.Batch, AxisLabel.Other, AxisLabel.Channels],
            2 => [AxisLabel.Batch, AxisLabel.Channels],
            _ => dimNames.Select(_ => AxisLabel.Other).ToArray(),
        };
    }

    /// <summary>A label from a dimension name such as "batch", "num_frames", "height" or "W".</summary>
    public static AxisLabel FromName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return AxisLabel.Other;
        }
        var n = name.ToLowerInvariant();
        if (n.Contains("frame") || n is "f" or "t" or "time") return AxisLabel.Frames;
        if (n.Contains("batch") || n is "n" or "b" or "2b") return AxisLabel.Batch;
        if (n.Contains("height") || n is "h") return AxisLabel.Height;
        if (n.Contains("width") || n is "w") return AxisLabel.Width;
        if (n.Contains("channel") || n is "c") return AxisLabel.Channels;
        return AxisLabel.Other;
    }
}
