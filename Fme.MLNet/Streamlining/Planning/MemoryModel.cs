using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Planning;

/// <summary>
/// Predicts peak activation memory (weights excluded) by replaying execution with tensor lifetimes: a tensor lives
/// from the step that writes it to the last step that reads it. Unsliced: every unit is a step over full tensors.
/// Streamlined: full tensors live between groups; inside a group, one piece's tensors at a time.
/// </summary>
internal static class MemoryModel
{
    public static long Unsliced(PlanningContext ctx)
    {
        var lastUse = LastUse(ctx.Units.Select(u => (IEnumerable<string>)u.Inputs).ToList(), ctx);
        return Replay(ctx, ctx.Units.Select(u => ((IEnumerable<string>)u.Inputs, (IEnumerable<string>)u.Outputs)).ToList(), lastUse, t => ctx.Shapes.Info(t).Bytes);
    }

    /// <summary>Per group: the predicted peak while it runs (full tensors alive plus one piece's working set).</summary>
    public static long[] Streamlined(PlanningContext ctx, IReadOnlyList<PlannedGroup> groups)
    {
        var alive = AliveBytes(ctx, groups);
        return groups.Select((g, i) => alive[i] + WorkingSet(ctx, g)).ToArray();
    }

    /// <summary>Per group: bytes of the full tensors alive while it runs (inputs still needed, its outputs, others in flight).</summary>
    public static long[] AliveBytes(PlanningContext ctx, IReadOnlyList<PlannedGroup> groups)
    {
        var lastUse = LastUse(groups.Select(g => (IEnumerable<string>)g.Inputs).ToList(), ctx);
        var alive = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var input in ctx.Graph.Inputs)
        {
            alive[input.Name] = ctx.Shapes.Info(input.Name).Bytes;
        }
        var bytes = new long[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            foreach (var output in group.Outputs.Where(o => !group.Reuses.ContainsKey(o)))
            {
                alive[output] = ctx.Shapes.Info(output).Bytes;
            }
            bytes[g] = alive.Values.Sum();
            foreach (var input in group.Inputs.Where(t => lastUse.GetValueOrDefault(t, -1) <= g && !ctx.Graph.IsGraphOutput(t)))
            {
                alive.Remove(input);
            }
            foreach (var output in group.Reuses.Keys)
            {
                alive[output] = ctx.Shapes.Info(output).Bytes; // in the memory the dead input leaves behind
            }
        }
        return bytes;
    }

    /// <summary>Peak bytes of one (the largest) piece's tensors inside a group, plus copies of non-contiguous boundary pieces.</summary>
    public static long WorkingSet(PlanningContext ctx, PlannedGroup group)
    {
        // Planning asks for the same group's working set many times (budget fitting, relaxation): remember it.
        var key = (group.Pieces, group.Reuses.Count);
        if (group.WorkingSetCache.TryGetValue(key, out var cached))
        {
            return cached;
        }
        return group.WorkingSetCache[key] = ComputeWorkingSet(ctx, group);
    }

    private static long ComputeWorkingSet(PlanningContext ctx, PlannedGroup group)
    {
        long PieceBytes(string t)
        {
            var info = ctx.Shapes.Info(t);
            return group.CutAxes.TryGetValue(t, out var axis) && group.IsCut
                ? info.Bytes / info.Dims[axis] * group.LargestPiece(info, axis)
                : info.Bytes;
        }
        var boundary = new HashSet<string>(group.Inputs.Concat(group.Outputs), StringComparer.Ordinal);
        var steps = group.Units.Select(u => ((IEnumerable<string>)u.Inputs, (IEnumerable<string>)u.Outputs.Where(o => !boundary.Contains(o)))).ToList();
        var lastUse = LastUse(group.Units.Select(u => (IEnumerable<string>)u.Inputs).ToList(), ctx);
        var inner = Replay(ctx, steps, lastUse, PieceBytes, skip: boundary);
        var copies = group.IsCut
            ? group.Inputs.Concat(group.Outputs)
                .Where(t => group.Reuses.ContainsKey(t) || group.CutAxes.TryGetValue(t, out var a) && !IsContiguous(ctx.Shapes.Info(t), a))
                .Sum(PieceBytes)
            : 0;
        var stats = group.TwoPass.Sum(u => 2 * ctx.Shapes.Info(u.Norm!.Input).Dims[..2].Aggregate(1L, (a, d) => a * d) * 8);
        return inner + copies + stats;
    }

    /// <summary>
    /// Lets each output of a cut group take over the memory of an input of the same shape and cut that no later group
    /// reads (not a graph input or output): the output then costs no full tensor of its own.
    /// </summary>
    public static void AssignReuses(PlanningContext ctx, IReadOnlyList<PlannedGroup> groups)
    {
        var lastUse = LastUse(groups.Select(g => (IEnumerable<string>)g.Inputs).ToList(), ctx);
        foreach (var group in groups)
        {
            group.Reuses.Clear();
        }
        foreach (var group in groups.Where(g => g.IsCut))
        {
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var output in group.Outputs.Where(o => !ctx.Graph.IsGraphOutput(o) && group.CutAxes.ContainsKey(o)))
            {
                var info = ctx.Shapes.Info(output);
                var donor = group.Inputs.FirstOrDefault(i =>
                    !taken.Contains(i) && lastUse.GetValueOrDefault(i, -1) == group.Index && !ctx.Graph.IsGraphInput(i) && !ctx.Graph.IsGraphOutput(i) &&
                    group.CutAxes.TryGetValue(i, out var axis) && SamePieceRegions(ctx.Shapes.Info(i), axis, info, group.CutAxes[output]));
                if (donor is not null)
                {
                    group.Reuses[output] = donor;
                    taken.Add(donor);
                }
            }
        }
    }

    /// <summary>
    /// Whether piece k of both tensors covers the same set of bytes: equal element sizes and equal (outer, cut, inner)
    /// element counts, so piece k is the same rows of the same blocks whatever the axes stand for.
    /// </summary>
    private static bool SamePieceRegions(TensorInfo a, int axisA, TensorInfo b, int axisB)
    {
        (long, long, long) Split(TensorInfo t, int axis) =>
            (t.Dims[..axis].Aggregate(1L, (x, d) => x * d), t.Dims[axis], t.Dims[(axis + 1)..].Aggregate(1L, (x, d) => x * d));
        return OnnxElementTypes.SizeOf(a.Type) == OnnxElementTypes.SizeOf(b.Type) && Split(a, axisA) == Split(b, axisB);
    }

    /// <summary>Whether a cut along <paramref name="axis"/> gives contiguous pieces (every outer axis has length 1).</summary>
    public static bool IsContiguous(TensorInfo info, int axis) => info.Dims[..axis].All(d => d == 1);

    private static Dictionary<string, int> LastUse(IReadOnlyList<IEnumerable<string>> readsPerStep, PlanningContext ctx)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var s = 0; s < readsPerStep.Count; s++)
        {
            foreach (var t in readsPerStep[s])
            {
                if (t.Length > 0)
                {
                    last[t] = s;
                }
            }
        }
        return last;
    }

    private static long Replay(PlanningContext ctx, IReadOnlyList<(IEnumerable<string> Reads, IEnumerable<string> Writes)> steps,
        Dictionary<string, int> lastUse, Func<string, long> bytes, ISet<string>? skip = null)
    {
        var alive = new Dictionary<string, long>(StringComparer.Ordinal);
        if (skip is null)
        {
            foreach (var input in ctx.Graph.Inputs)
            {
                alive[input.Name] = bytes(input.Name);
            }
        }
        long current = alive.Values.Sum(), peak = current;
        for (var s = 0; s < steps.Count; s++)
        {
            foreach (var w in steps[s].Writes.Where(w => w.Length > 0 && !alive.ContainsKey(w)))
            {
                alive[w] = bytes(w);
                current += alive[w];
            }
            peak = Math.Max(peak, current);
            foreach (var r in steps[s].Reads.Where(r => r.Length > 0 && alive.ContainsKey(r) && lastUse.GetValueOrDefault(r) <= s && !ctx.Graph.IsGraphOutput(r)))
            {
                current -= alive[r];
                alive.Remove(r);
            }
        }
        return peak;
    }
}
