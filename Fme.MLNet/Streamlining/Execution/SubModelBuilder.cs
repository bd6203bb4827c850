using System.Runtime.InteropServices;
using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Streamlining.Analysis;
using Fme.MLNet.Streamlining.Planning;
using Google.Protobuf;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// Writes the ONNX model one group runs: its nodes, the initializers they use (external ones by reference to the same
/// data files), every folded value as a constant, Reshape / Expand shape inputs rewritten so one model serves pieces
/// of any length (the cut axis becomes -1 or 1), and each two-pass normalisation replaced by (x - mean) * scale + bias
/// with the statistics as extra inputs. Boundary tensors are declared with the cut axis named "piece".
/// </summary>
internal static class SubModelBuilder
{
    public const string PieceDim = "piece";

    /// <summary>Names of the three statistics inputs of the k-th two-pass normalisation.</summary>
    public static (string Mean, string Scale, string Bias) StatisticsInputs(int k) => ($"__norm{k}_mean", $"__norm{k}_scale", $"__norm{k}_bias");

    /// <summary>The model of the group's main pass.</summary>
    public static OnnxModel Build(OnnxModel model, PlanningContext ctx, PlannedGroup group) =>
        Build(model, ctx, group, group.Units, group.Outputs, $"group_{group.Index}");

    /// <summary>
    /// The model of the streaming statistics pass of the group's <paramref name="norm"/>-th two-pass normalisation: only the
    /// units its input depends on, with the earlier normalisations in their two-pass form, giving that input piece by piece.
    /// </summary>
    public static OnnxModel BuildStatisticsPass(OnnxModel model, PlanningContext ctx, PlannedGroup group, int norm)
    {
        var target = group.TwoPass[norm].Norm!.Input;
        var needed = new HashSet<AnalysisNode>();
        var producers = group.Units.SelectMany(u => u.Outputs.Select(o => (o, u))).Where(p => p.o.Length > 0).ToDictionary(p => p.o, p => p.u);
        var stack = new Stack<string>([target]);
        while (stack.Count > 0)
        {
            if (producers.TryGetValue(stack.Pop(), out var unit) && needed.Add(unit))
            {
                foreach (var input in unit.Inputs)
                {
                    stack.Push(input);
                }
            }
        }
        var units = group.Units.Where(needed.Contains).ToList();
        return Build(model, ctx, group, units, [target], $"group_{group.Index}_statistics_{norm}");
    }

    private static OnnxModel Build(OnnxModel model, PlanningContext ctx, PlannedGroup group, IReadOnlyList<AnalysisNode> units,
        IReadOnlyList<string> outputs, string graphName)
    {
        var graph = new GraphProto { Name = graphName };
        var added = new HashSet<string>(StringComparer.Ordinal);
        var shapes = ctx.Shapes;
        void AddInitializer(TensorProto t)
        {
            if (added.Add(t.Name))
            {
                graph.Initializer.Add(t);
            }
        }
        void AddInput(NodeProto node, int i) => AddTensor(node.Input[i]);
        void AddTensor(string name)
        {
            if (name.Length == 0 || added.Contains(name))
            {
                return;
            }
            if (shapes.Value(name) is { } value && !group.Inputs.Contains(name))
            {
                AddInitializer(value.ToTensor(name));
            }
            else if (ctx.Graph.IsInitializer(name))
            {
                AddInitializer(ctx.Graph.GetInitializer(name).Clone());
            }
        }

        foreach (var unit in units)
        {
            if (group.TwoPass.Contains(unit))
            {
                EmitTwoPass(graph, shapes, unit, group.TwoPass.ToList().IndexOf(unit));
                continue;
            }
            for (var m = 0; m < unit.Members.Count; m++)
            {
                var node = unit.Members[m].Proto.Clone();
                var rewriteAxis = group.IsCut && node.OpType is "Reshape" or "Expand" && node.Domain.Length == 0
                    ? MemberOutputAxis(group, unit, m)
                    : null;
                if (rewriteAxis is { } axis)
                {
                    var target = RewriteShape(node, shapes, axis);
                    var name = $"{node.Output[0]}__piece_shape";
                    AddInitializer(KnownValue.Integers(OnnxElementType.Int64, [target.Length], target).ToTensor(name));
                    node.Input[1] = name;
                }
                if (group.IsCut && node.OpType == "Resize" && node.Domain.Length == 0 && node.Input.Count > 3 && node.Input[3].Length > 0 &&
                    MemberOutputAxis(group, unit, m) is not null)
                {
                    node.Input[3] = RewriteResizeSizes(graph, shapes, node, AddInitializer);
                }
                for (var i = 0; i < node.Input.Count; i++)
                {
                    AddInput(node, i);
                }
                graph.Node.Add(node);
            }
            // Outer tensors a subgraph reads without listing them.
            foreach (var name in unit.Inputs)
            {
                AddTensor(name);
            }
        }

        var read = units.SelectMany(u => u.Inputs).ToHashSet(StringComparer.Ordinal);
        foreach (var input in group.Inputs.Where(read.Contains))
        {
            graph.Input.Add(ValueInfo(input, shapes.Info(input), group.IsCut ? group.CutAxes.GetValueOrDefault(input, -1) : -1));
        }
        foreach (var k in Enumerable.Range(0, group.TwoPass.Count).Where(k => units.Contains(group.TwoPass[k])))
        {
            var x = shapes.Info(group.TwoPass[k].Norm!.Input);
            var statDims = x.Dims.Select((d, i) => i < 2 ? d : 1L).ToArray();
            var (mean, scale, bias) = StatisticsInputs(k);
            foreach (var name in new[] { mean, scale, bias })
            {
                graph.Input.Add(ValueInfo(name, new TensorInfo(OnnxElementType.Float, statDims), -1));
            }
        }
        foreach (var output in outputs)
        {
            graph.Output.Add(ValueInfo(output, shapes.Info(output), group.IsCut ? group.CutAxes.GetValueOrDefault(output, -1) : -1));
        }
        var proto = new ModelProto
        {
            IrVersion = Math.Max(model.Proto.IrVersion, 7),
            ProducerName = "Fme.MLNet",
            Graph = graph,
        };
        proto.OpsetImport.AddRange(model.Proto.OpsetImport.Select(o => o.Clone()));
        proto.Functions.AddRange(model.Proto.Functions.Select(f => f.Clone()));
        return OnnxModel.FromProto(proto, model.BaseDirectory);
    }

    /// <summary>The cut axis of a member's output; inside a GroupNorm pattern the grouped tensor is cut on axis 0 or 2.</summary>
    private static int? MemberOutputAxis(PlannedGroup group, AnalysisNode unit, int member)
    {
        if (unit.Members.Count == 1)
        {
            return group.CutAxes.TryGetValue(unit.Outputs[0], out var a) ? a : null;
        }
        if (!group.CutAxes.TryGetValue(unit.Inputs[0], out var x))
        {
            return null;
        }
        return member == unit.Members.Count - 1 ? x : (x == 0 ? 0 : 2);
    }

    /// <summary>The full target shape with the cut position made piece-agnostic: -1 for Reshape, 1 for Expand.</summary>
    private static long[] RewriteShape(NodeProto node, GraphShapes shapes, int outputAxis)
    {
        var output = shapes.Info(node.Output[0]).Dims;
        if (node.OpType == "Reshape")
        {
            var target = (long[])output.Clone();
            target[outputAxis] = -1;
            return target;
        }
        var shape = shapes.Value(node.Input[1])!.Ints!.ToArray();
        var position = outputAxis - (output.Length - shape.Length);
        if (position >= 0)
        {
            shape[position] = 1;
        }
        return shape;
    }

    /// <summary>
    /// Resize with constant sizes, in a piece: the sizes of the axes it keeps (the cut among them) are taken from the
    /// piece, Where(kept, Shape(x)[axes], sizes), so one model serves pieces of any length. Returns the new sizes input.
    /// </summary>
    private static string RewriteResizeSizes(GraphProto graph, GraphShapes shapes, NodeProto node, Action<TensorProto> addInitializer)
    {
        var x = shapes.Info(node.Input[0]).Dims;
        var sizes = shapes.Value(node.Input[3])!.Ints!;
        var axesAttribute = node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray();
        var axes = axesAttribute?.Select(a => a < 0 ? a + x.Length : a).ToArray() ?? Enumerable.Range(0, x.Length).Select(a => (long)a).ToArray();
        var prefix = $"{node.Output[0]}__piece_sizes";
        var kept = KnownValue.Integers(OnnxElementType.Bool, [axes.Length], axes.Select((a, i) => sizes[i] == x[a] ? 1L : 0L).ToArray());
        addInitializer(kept.ToTensor($"{prefix}_kept"));
        addInitializer(KnownValue.Integers(OnnxElementType.Int64, [axes.Length], axes).ToTensor($"{prefix}_axes"));
        addInitializer(KnownValue.Integers(OnnxElementType.Int64, [axes.Length], sizes).ToTensor($"{prefix}_full"));
        graph.Node.Add(Node("Shape", [node.Input[0]], $"{prefix}_shape", $"{prefix}/Shape"));
        graph.Node.Add(Node("Gather", [$"{prefix}_shape", $"{prefix}_axes"], $"{prefix}_piece", $"{prefix}/Gather", Attr.Int("axis", 0)));
        graph.Node.Add(Node("Where", [$"{prefix}_kept", $"{prefix}_piece", $"{prefix}_full"], prefix, $"{prefix}/Where"));
        return prefix;
    }

    /// <summary>y = (x - mean) * scale + bias, in float32 (with casts around it for other float types).</summary>
    private static void EmitTwoPass(GraphProto graph, GraphShapes shapes, AnalysisNode unit, int k)
    {
        var x = unit.Norm!.Input;
        var y = unit.Outputs[0];
        var type = shapes.Info(x).Type;
        var (mean, scale, bias) = StatisticsInputs(k);
        var prefix = $"{unit.Name}__two_pass";
        var source = x;
        if (type != OnnxElementType.Float)
        {
            source = $"{prefix}_x32";
            graph.Node.Add(Node("Cast", [x], source, $"{prefix}/Cast", Attr.Int("to", (long)OnnxElementType.Float)));
        }
        graph.Node.Add(Node("Sub", [source, mean], $"{prefix}_centred", $"{prefix}/Sub"));
        graph.Node.Add(Node("Mul", [$"{prefix}_centred", scale], $"{prefix}_scaled", $"{prefix}/Mul"));
        var sum = type == OnnxElementType.Float ? y : $"{prefix}_y32";
        graph.Node.Add(Node("Add", [$"{prefix}_scaled", bias], sum, $"{prefix}/Add"));
        if (type != OnnxElementType.Float)
        {
            graph.Node.Add(Node("Cast", [sum], y, $"{prefix}/Cast_1", Attr.Int("to", (long)type)));
        }
    }

    private static NodeProto Node(string op, string[] inputs, string output, string name, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static ValueInfoProto ValueInfo(string name, TensorInfo info, int cutAxis)
    {
        var shape = new TensorShapeProto();
        for (var a = 0; a < info.Rank; a++)
        {
            shape.Dim.Add(a == cutAxis
                ? new TensorShapeProto.Types.Dimension { DimParam = PieceDim }
                : new TensorShapeProto.Types.Dimension { DimValue = info.Dims[a] });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)info.Type, Shape = shape } },
        };
    }
}
