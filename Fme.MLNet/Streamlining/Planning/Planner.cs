using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Streamlining.Planning;

/// <summary>The analysis passes in order: shapes -> units -> axis meanings -> groups -> memory -> budget.</summary>
internal static class Planner
{
    /// <summary>The result of planning: the public plan and, unless the model runs unsliced, what execution needs.</summary>
    public sealed record Result(StreamlinedPlan Plan, PlanningContext? Context, IReadOnlyList<PlannedGroup> Groups);

    public static Result Make(OnnxModel model, IReadOnlyDictionary<string, TensorInfo> inputs,
        IReadOnlyDictionary<string, KnownValue> inputValues, StreamlineOptions options)
    {
        var shapesOfInputs = inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Dims);
        GraphShapes shapes;
        try
        {
            shapes = GraphShapes.Infer(model, inputs, inputValues);
        }
        catch (PlanningException e) when (e is not TensorSizeException)
        {
            return Whole(model, inputs, 0, 0, e.Message);
        }
        var units = AnalysisNode.Build(shapes, model.OpsetVersion);
        var labels = model.Graph.Inputs.ToDictionary(
            i => i.Name,
            i => options.InputAxes?.GetValueOrDefault(i.Name) ??
                 AxisProvenance.Guess(i.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimParam ? d.DimParam : null).ToList() ??
                                      Enumerable.Repeat<string?>(null, inputs[i.Name].Rank).ToList()));
        var provenance = AxisProvenance.Compute(shapes, units, labels);
        var ctx = new PlanningContext(model.Graph, shapes, units, provenance, options);
        var groups = Grouper.Run(ctx);
        CheckOrder(ctx, groups);
        MemoryModel.AssignReuses(ctx, groups);
        var peaks = FitBudget(ctx, groups, options.MemoryBudgetBytes);
        if (!options.CutEverywhere && peaks.Length > 0)
        {
            groups = Grouper.Relax(ctx, groups, options.MemoryBudgetBytes ?? peaks.Max());
            CheckOrder(ctx, groups);
        }
        MemoryModel.AssignReuses(ctx, groups);
        peaks = MemoryModel.Streamlined(ctx, groups);
        var unsliced = MemoryModel.Unsliced(ctx);
        var streamlined = peaks.Length == 0 ? 0 : peaks.Max();
        // Never worse than plain: a plan that does not clearly lower the peak runs whole, unless asked to cut or the budget needs it.
        var budgetNeedsCuts = options.MemoryBudgetBytes is { } budget && unsliced > budget;
        if (!options.CutEverywhere && !budgetNeedsCuts && streamlined * options.MinimumReduction > unsliced)
        {
            return Whole(model, inputs, unsliced, unsliced,
                $"the cut plan's predicted peak {StreamlinedPlan.FormatBytes(streamlined)} is not clearly below the unsliced " +
                $"{StreamlinedPlan.FormatBytes(unsliced)} (MinimumReduction {options.MinimumReduction:0.##}x)");
        }
        var plan = new StreamlinedPlan(
            shapesOfInputs,
            groups.Select((g, i) => Describe(ctx, g, peaks[i])).ToList(),
            unsliced,
            streamlined,
            null);
        return new Result(plan, ctx, groups);
    }

    /// <summary>A plan that runs the whole model in one plain session, and why.</summary>
    private static Result Whole(OnnxModel model, IReadOnlyDictionary<string, TensorInfo> inputs, long unsliced, long streamlined, string reason)
    {
        var nodes = model.Graph.Nodes.Select(Label).ToList();
        var group = new PlanGroup(0, nodes, CutKind.None, null, null, 1, streamlined, inputs.Keys.ToList(),
            model.Graph.Outputs.Select(o => o.Name).ToList(), [], []);
        var shapes = inputs.ToDictionary(kv => kv.Key, kv => kv.Value.Dims);
        return new Result(new StreamlinedPlan(shapes, [group], unsliced, streamlined, reason), null, []);
    }

    /// <summary>Raises piece counts of the groups at the top until the predicted peak fits the budget.</summary>
    private static long[] FitBudget(PlanningContext ctx, IReadOnlyList<PlannedGroup> groups, long? budget)
    {
        var peaks = MemoryModel.Streamlined(ctx, groups);
        if (budget is not { } limit)
        {
            return peaks;
        }
        while (peaks.Length > 0 && peaks.Max() > limit)
        {
            var worst = Array.IndexOf(peaks, peaks.Max());
            var group = groups[worst];
            if (!group.IsCut || group.Pieces >= group.CutUnits)
            {
                foreach (var g in groups.Where(g => g.IsCut))
                {
                    g.Pieces = (int)g.CutUnits;
                }
                var floor = MemoryModel.Streamlined(ctx, groups);
                var at = Array.IndexOf(floor, floor.Max());
                throw new PlanningException(
                    $"No plan fits the memory budget of {StreamlinedPlan.FormatBytes(limit)}: the smallest reachable predicted peak is " +
                    $"{StreamlinedPlan.FormatBytes(floor.Max())} (while group {at} runs, starting at {Label(groups[at].Units[0].Members[0])}). " +
                    "Raise MemoryBudgetBytes, or lower the frame count or resolution.");
            }
            group.Pieces = (int)Math.Min(group.CutUnits, Math.Max(group.Pieces + 1, group.Pieces * 5 / 4));
            peaks = MemoryModel.Streamlined(ctx, groups);
        }
        return peaks;
    }

    private static PlanGroup Describe(PlanningContext ctx, PlannedGroup g, long peak)
    {
        string? cutTensor = null;
        int? cutAxis = null;
        if (g.IsCut)
        {
            cutTensor = g.Inputs.Concat(g.Outputs).FirstOrDefault(g.CutAxes.ContainsKey);
            cutAxis = cutTensor is null ? null : g.CutAxes[cutTensor];
        }
        return new PlanGroup(
            g.Index,
            g.Units.SelectMany(u => u.Members).Select(Label).ToList(),
            g.IsCut ? g.Kind : CutKind.None,
            cutTensor,
            cutAxis,
            g.Pieces,
            peak,
            g.Inputs,
            g.Outputs,
            g.TwoPass.Select(u => u.Name).ToList(),
            g.Approximate.Select(u => u.Name).ToList());
    }

    /// <summary>Every group input must be a graph input or an output of an earlier group: a broken order is a bug here.</summary>
    private static void CheckOrder(PlanningContext ctx, IReadOnlyList<PlannedGroup> groups)
    {
        var available = new HashSet<string>(ctx.Graph.Inputs.Select(i => i.Name), StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var missing = group.Inputs.FirstOrDefault(i => !available.Contains(i));
            if (missing is not null)
            {
                var producer = groups.FirstOrDefault(g => g.Outputs.Contains(missing));
                var home = groups.FirstOrDefault(g => g.Units.Any(u => u.Outputs.Contains(missing)));
                if (home is not null && producer is null)
                {
                    throw new InvalidOperationException(
                        $"Internal planning error: '{missing}' is made inside group {home.Index} but not listed among its outputs.");
                }
                throw new InvalidOperationException(
                    $"Internal planning error: group {group.Index} ({Label(group.Units[0].Members[0])}) reads '{missing}', which " +
                    (producer is null ? "no group writes." : $"group {producer.Index} writes later."));
            }
            available.UnionWith(group.Outputs);
        }
    }

    private static string Label(OnnxNode node) => node.Name.Length > 0 ? node.Name : $"{node.OpType}#{node.Index}";
}
