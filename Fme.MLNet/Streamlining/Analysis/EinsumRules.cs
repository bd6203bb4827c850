namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// Shape and cut rules of Einsum. The equation names every axis with a letter ("..." for broadcast batch axes); an axis
/// named in the output is independent, so cutting it in the output and in every input that carries it is exact. A
/// summed axis (named only in inputs) spans the cut and is never cut, nor is a letter repeated in one term (a diagonal).
/// </summary>
internal static class EinsumRules
{
    /// <summary>Per input, the label of each axis; then the output's. Ellipsis axes get labels "...0", "...1" from the right.</summary>
    public static (string[][] Inputs, string[] Output) Parse(NodeContext c)
    {
        var equation = c.Node.GetString("equation", "").Replace(" ", "", StringComparison.Ordinal);
        var arrow = equation.IndexOf("->", StringComparison.Ordinal);
        var left = arrow >= 0 ? equation[..arrow] : equation;
        var terms = left.Split(',');
        if (terms.Length != c.InputCount)
        {
            throw new PlanningException($"{c.Node.Describe()}: equation '{equation}' names {terms.Length} inputs, the node has {c.InputCount}.");
        }
        var inputs = terms.Select((t, i) => Labels(t, c.In(i).Rank, c)).ToArray();
        string[] output;
        if (arrow >= 0)
        {
            var ellipsisRank = inputs.Max(l => l.Count(x => x.StartsWith("...", StringComparison.Ordinal)));
            output = Labels(equation[(arrow + 2)..], ellipsisRank + equation[(arrow + 2)..].Replace("...", "", StringComparison.Ordinal).Length, c);
        }
        else
        {
            // Implicit output: the broadcast axes, then every letter used once, in alphabetical order.
            var all = inputs.SelectMany(l => l).ToList();
            var ellipsis = all.Where(x => x.StartsWith("...", StringComparison.Ordinal)).Distinct().OrderByDescending(x => x, StringComparer.Ordinal);
            output = ellipsis.Concat(all.Where(x => x.Length == 1).GroupBy(x => x).Where(g => g.Count() == 1).Select(g => g.Key).Order(StringComparer.Ordinal)).ToArray();
        }
        return (inputs, output);
    }

    private static string[] Labels(string term, int rank, NodeContext c)
    {
        var dots = term.IndexOf("...", StringComparison.Ordinal);
        var letters = term.Replace("...", "", StringComparison.Ordinal);
        if (letters.Any(ch => !char.IsAsciiLetter(ch)) || (dots < 0 ? letters.Length != rank : letters.Length > rank))
        {
            throw new PlanningException($"{c.Node.Describe()}: term '{term}' does not fit an input of rank {rank}.");
        }
        if (dots < 0)
        {
            return letters.Select(ch => ch.ToString()).ToArray();
        }
        var broadcast = rank - letters.Length;
        return term[..dots].Select(ch => ch.ToString())
            .Concat(Enumerable.Range(0, broadcast).Select(k => $"...{broadcast - 1 - k}"))
            .Concat(term[(dots + 3)..].Select(ch => ch.ToString())).ToArray();
    }

    public static TensorInfo[] Shape(NodeContext c)
    {
        var (inputs, output) = Parse(c);
        var dims = output.Select(label =>
        {
            var sizes = inputs.SelectMany((labels, i) => labels.Select((l, a) => (l, a, i)).Where(p => p.l == label).Select(p => c.In(p.i).Dims[p.a])).ToList();
            return sizes.Count == 0 ? 1 : sizes.Max();
        }).ToArray();
        return [new TensorInfo(c.In(0).Type, dims)];
    }

    public static IEnumerable<CutLink> Links(NodeContext c)
    {
        var (inputs, output) = Parse(c);
        var outDims = c.Outputs[0].Dims;
        for (var j = 0; j < output.Length; j++)
        {
            if (outDims[j] <= 1)
            {
                continue;
            }
            var axes = new int?[c.InputCount + 1];
            var diagonal = false;
            for (var i = 0; i < inputs.Length; i++)
            {
                var at = inputs[i].Select((l, a) => (l, a)).Where(p => p.l == output[j]).Select(p => p.a).ToList();
                diagonal |= at.Count > 1;
                // Absent, or broadcast from length 1: that input is used whole along the cut.
                axes[i] = at.Count == 1 && c.In(i).Dims[at[0]] == outDims[j] ? at[0] : null;
            }
            if (!diagonal)
            {
                axes[c.InputCount] = j;
                yield return new CutLink(axes, LinkKind.Exact);
            }
        }
    }
}
