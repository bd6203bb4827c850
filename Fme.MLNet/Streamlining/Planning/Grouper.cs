using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Planning;

/// <summary>
/// Operator grouping: one sweep over the units in topological order. At each unit not yet placed, every way of
/// cutting it is tried as the seed of a group, grown as far as <see cref="GroupBuilder"/> allows; the seed that gives
/// takes the most bytes out of memory (internal bytes times (1 - 1 / pieces)) wins. A unit with no
/// worthwhile cut runs whole, merged with its whole neighbours.
/// </summary>
internal static class Grouper
{
    public static List<PlannedGroup> Run(PlanningContext ctx)
    {
        var queue = new LinkedList<AnalysisNode>(ctx.Units);
        var groups = new List<PlannedGroup>();
        var whole = new List<AnalysisNode>();
        while (queue.Count > 0)
        {
            var seed = queue.First!.Value;
            var best = BestGroup(ctx, queue);
            if (best is null)
            {
                queue.RemoveFirst();
                if (HasSubgraphs(seed))
                {
                    // An If / Loop / Scan runs whole in a group of its own, so its neighbours keep their own plan.
                    Flush(ctx, groups, whole);
                    whole.Add(seed);
                    Flush(ctx, groups, whole);
                    continue;
                }
                whole.Add(seed);
                continue;
            }
            var (builder, consumed) = best.Value;
            for (var i = 0; i < consumed; i++)
            {
                queue.RemoveFirst();
            }
            whole.AddRange(builder.Hoisted.OrderBy(u => u.Index));
            Flush(ctx, groups, whole);
            groups.Add(MakeCut(ctx, groups.Count, builder, out var peeled));
            foreach (var unit in builder.Free.Concat(peeled).OrderByDescending(u => u.Index))
            {
                queue.AddFirst(unit);
            }
        }
        Flush(ctx, groups, whole);
        return groups;
    }

    private static (GroupBuilder Builder, int Consumed)? BestGroup(PlanningContext ctx, LinkedList<AnalysisNode> queue)
    {
        var seed = queue.First!.Value;
        (GroupBuilder Builder, int Consumed, long Internal, long Saved)? best = null;
        foreach (var link in seed.Links.Where(l => l.IsCut))
        {
            var kind = ctx.KindOf(seed, link);
            var builder = new GroupBuilder(ctx, ctx.Options.PiecesFor(kind), streamsStatistics: kind == CutKind.Pixels);
            if (builder.RequestedPieces < 2 || !builder.Seed(seed, link))
            {
                continue;
            }
            var consumed = 1;
            for (var node = queue.First!.Next; node is not null && builder.TryJoin(node.Value); node = node.Next)
            {
                consumed++;
            }
            // Score: the bytes this cut takes out of memory (all but one piece of every internal tensor).
            var inside = InternalBytes(ctx, builder);
            var saved = inside - inside / Math.Max(1, builder.Pieces);
            if (best is null || saved > best.Value.Saved)
            {
                best = (builder, consumed, inside, saved);
            }
        }
        if (best is not { } b || b.Builder.Pieces < 2 || b.Internal == 0 || b.Internal < ctx.Options.MinimumCutBytes)
        {
            return null;
        }
        return (b.Builder, b.Consumed);
    }

    /// <summary>Bytes of the tensors that exist only inside the group: what cutting it keeps in pieces.</summary>
    private static long InternalBytes(PlanningContext ctx, GroupBuilder builder) =>
        builder.Produced.Where(t => !IsOutput(ctx, t, builder.Members.Keys)).Sum(t => ctx.Shapes.Info(t).Bytes);

    private static bool IsOutput(PlanningContext ctx, string tensor, ICollection<AnalysisNode> members) =>
        ctx.Graph.IsGraphOutput(tensor) || ctx.Consumers(tensor).Any(u => !members.Contains(u));

    private static PlannedGroup MakeCut(PlanningContext ctx, int index, GroupBuilder b, out List<AnalysisNode> peeled)
    {
        var members = b.Members.Keys.OrderBy(u => u.Index).ToList();
        peeled = PeelTail(ctx, members);
        var memberSet = members.ToHashSet();
        var produced = members.SelectMany(u => u.Outputs).Where(b.Produced.Contains).ToHashSet(StringComparer.Ordinal);
        // The group is named after its largest cut tensor: the seed may be a side input whose axis says little.
        var largest = b.CutAxes.Where(kv => produced.Contains(kv.Key)).DefaultIfEmpty(b.CutAxes.First())
            .MaxBy(kv => ctx.Shapes.Info(kv.Key).Bytes);
        var kind = ctx.Provenance.Kind(largest.Key, largest.Value);
        var inputs = ExternalInputs(ctx, members, produced);
        var outputs = produced.Where(t => IsOutput(ctx, t, memberSet)).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var pieces = (int)Math.Min(ctx.Options.PiecesFor(kind), b.Gcd);
        return new PlannedGroup(index, members, kind, pieces, b.Gcd, new Dictionary<string, int>(b.CutAxes), inputs, outputs,
            b.TwoPass.Where(memberSet.Contains).OrderBy(u => u.Index).ToList(), b.Approximate.Where(memberSet.Contains).ToList(),
            new Dictionary<AnalysisNode, CutLink>(b.Members))
        {
            Streamed = b.Streamed.Where(memberSet.Contains).ToHashSet(),
        };
    }

    /// <summary>
    /// A group grows as long as it can, so it may run on a little past the tensor it should end at: into a layout switch
    /// (Reshape, Transpose) or into the first layers of the next block, which the next group would cut better. Its tail
    /// goes back to the queue when the group then writes fewer bytes (the tail reads only what the group makes, so no
    /// outside tensor lives longer); pure data movements at the very end go back as well. Returns the units taken off.
    /// </summary>
    private static List<AnalysisNode> PeelTail(PlanningContext ctx, List<AnalysisNode> members)
    {
        long OutputBytes(HashSet<AnalysisNode> kept) => kept.SelectMany(u => u.Outputs)
            .Where(o => o.Length > 0 && IsOutput(ctx, o, kept)).Sum(o => ctx.Shapes.Info(o).Bytes);
        var best = members.Count;
        var bestBytes = OutputBytes(members.ToHashSet());
        for (var k = members.Count - 1; k >= 1; k--)
        {
            var kept = members.Take(k).ToHashSet();
            if (!kept.Any(u => !IsMove(u)))
            {
                break;
            }
            var tail = members.Skip(k).ToList();
            var made = kept.SelectMany(u => u.Outputs).Concat(tail.SelectMany(u => u.Outputs)).ToHashSet(StringComparer.Ordinal);
            if (!tail.SelectMany(u => u.Inputs).All(t => t.Length == 0 || made.Contains(t) || ctx.Graph.IsInitializer(t) || ctx.Shapes.IsKnown(t)))
            {
                continue;
            }
            var bytes = OutputBytes(kept);
            if (bytes < bestBytes)
            {
                (best, bestBytes) = (k, bytes);
            }
        }
        while (best > 1 && IsMove(members[best - 1]) && members.Take(best - 1).Any(u => !IsMove(u)) &&
               !members[best - 1].Outputs.Any(o => ctx.Consumers(o).Any(c => members.Take(best - 1).Contains(c))))
        {
            best--;
        }
        var peeled = members.Skip(best).ToList();
        members.RemoveRange(best, members.Count - best);
        return peeled;
    }

    private static bool HasSubgraphs(AnalysisNode unit) => unit.Members.Any(m => m.Subgraphs.Count > 0);

    private static bool IsMove(AnalysisNode unit) =>
        unit.Members.Count == 1 && unit.Members[0].Domain.Length == 0 &&
        unit.OpType is "Reshape" or "Transpose" or "Squeeze" or "Unsqueeze" or "Flatten" or "Identity";

    /// <summary>Data tensors the units read but do not make: the full tensors the group takes in.</summary>
    private static List<string> ExternalInputs(PlanningContext ctx, IEnumerable<AnalysisNode> units, IReadOnlySet<string> produced) =>
        units.SelectMany(u => u.Inputs)
            .Where(t => t.Length > 0 && !produced.Contains(t) && !ctx.Graph.IsInitializer(t) && !ctx.Shapes.IsKnown(t))
            .Distinct().OrderBy(t => t, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Cutting costs time (more, smaller calls) and sessions; it pays only where a group would otherwise set the peak.
    /// Groups whose uncut peak stays within <paramref name="target"/> run whole, and neighbouring whole groups merge as
    /// long as the merged group (whose inputs then live until it ends) keeps every peak within the target.
    /// </summary>
    public static List<PlannedGroup> Relax(PlanningContext ctx, IReadOnlyList<PlannedGroup> groups, long target)
    {
        var alive = MemoryModel.AliveBytes(ctx, groups);
        var whole = new bool[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            if (!group.IsCut)
            {
                whole[g] = true;
                continue;
            }
            var pieces = group.Pieces;
            group.Pieces = 1;
            var reuses = new Dictionary<string, string>(group.Reuses);
            group.Reuses.Clear(); // a whole group writes its outputs while it reads its inputs: no reuse
            whole[g] = alive[g] + MemoryModel.WorkingSet(ctx, group) + reuses.Keys.Sum(o => ctx.Shapes.Info(o).Bytes) <= target;
            if (!whole[g])
            {
                group.Pieces = pieces;
                foreach (var (o, i) in reuses)
                {
                    group.Reuses[o] = i;
                }
            }
        }
        var kept = new List<PlannedGroup>();
        var pending = new List<AnalysisNode>();
        for (var g = 0; g < groups.Count; g++)
        {
            if (!whole[g])
            {
                Flush(ctx, kept, pending);
                groups[g].Index = kept.Count;
                kept.Add(groups[g]);
                continue;
            }
            if (pending.Count > 0 && (pending.Any(HasSubgraphs) || groups[g].Units.Any(HasSubgraphs) ||
                                      !FitsMerged(ctx, kept, pending, groups[g], groups.Skip(g + 1), target)))
            {
                Flush(ctx, kept, pending);
            }
            pending.AddRange(groups[g].Units);
        }
        Flush(ctx, kept, pending);
        return kept;
    }

    /// <summary>Whether merging <paramref name="next"/> into the pending whole units keeps the whole plan within the target.</summary>
    private static bool FitsMerged(PlanningContext ctx, List<PlannedGroup> kept, List<AnalysisNode> pending, PlannedGroup next,
        IEnumerable<PlannedGroup> rest, long target)
    {
        var trial = new List<PlannedGroup>(kept);
        Flush(ctx, trial, pending.Concat(next.Units).ToList());
        trial.AddRange(rest);
        return MemoryModel.Streamlined(ctx, trial).Max() <= target;
    }

    /// <summary>Emits the pending whole units as one uncut group.</summary>
    private static void Flush(PlanningContext ctx, List<PlannedGroup> groups, List<AnalysisNode> whole)
    {
        if (whole.Count == 0)
        {
            return;
        }
        var units = whole.ToList();
        whole.Clear();
        var set = units.ToHashSet();
        var produced = units.SelectMany(u => u.Outputs).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var inputs = ExternalInputs(ctx, units, produced);
        var outputs = produced.Where(t => IsOutput(ctx, t, set)).OrderBy(t => t, StringComparer.Ordinal).ToList();
        groups.Add(new PlannedGroup(groups.Count, units, CutKind.None, 1, 1, new Dictionary<string, int>(), inputs, outputs, [], [],
            new Dictionary<AnalysisNode, CutLink>()));
    }
}
