using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

internal delegate TensorInfo[] ShapeRule(NodeContext c);

internal delegate IEnumerable<CutLink> CutRule(NodeContext c);

internal delegate KnownValue? ValueRule(NodeContext c, TensorInfo output);

/// <summary>Everything the engine knows about one operator (key: the op type, "domain.op" outside the default domain).</summary>
internal sealed record OperatorRule(string Key)
{
    /// <summary>Output types and shapes; null: ONNX Runtime's own shape inference gives them (<see cref="OrtShapeInference"/>).</summary>
    public ShapeRule? Shape { get; init; }

    /// <summary>The output's value when every input value is known (shape arithmetic); null: never folded.</summary>
    public ValueRule? Value { get; init; }

    /// <summary>The value needs only the input shapes (Shape, Size, Constant), not the input values.</summary>
    public bool ValueFromShapes { get; init; }

    /// <summary>
    /// Whether a floating-point result of <see cref="Value"/> is what ONNX Runtime computes bit for bit (correctly rounded
    /// operations and data movement); transcendental functions and float reductions are left to ONNX Runtime.
    /// </summary>
    public bool FoldsFloatExactly { get; init; } = true;

    /// <summary>How a cut passes through it; null: it runs whole (see <see cref="WholeReason"/>).</summary>
    public CutRule? Cut { get; init; }

    /// <summary>Input slots the executor rewrites for each piece (a Reshape target), so they may depend on the cut axis.</summary>
    public IReadOnlySet<int> PieceInputs { get; init; } = new HashSet<int>();

    /// <summary>Why it is never cut, where that is by nature rather than a missing rule.</summary>
    public string? WholeReason { get; init; }
}

/// <summary>
/// The operator registry: one entry per operator with its shape, value and cut rules, so they cannot disagree about
/// which operators exist. Operators missing here (or without a shape rule) get their shapes from ONNX Runtime and run
/// whole; operators with subgraphs always run whole.
/// </summary>
internal static class OperatorRegistry
{
    private static readonly Dictionary<string, OperatorRule> Table = Build();

    public static IReadOnlyDictionary<string, OperatorRule> Rules => Table;

    public static string Key(OnnxNode node) => node.Domain.Length == 0 || node.Domain == "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}";

    public static OperatorRule? Find(OnnxNode node) => Table.GetValueOrDefault(Key(node));

    public static OperatorRule? Find(string key) => Table.GetValueOrDefault(key);

    /// <summary>The cut links of a node (none where it has no cut rule).</summary>
    public static IReadOnlyList<CutLink> Links(NodeContext c) =>
        c.Node.Subgraphs.Count == 0 && Find(c.Node)?.Cut is { } rule ? rule(c).ToList() : [];

    /// <summary>Whether the executor rewrites this input of the node for each piece.</summary>
    public static bool RewritesPieceInput(OnnxNode node, int slot) => Find(node)?.PieceInputs.Contains(slot) == true;

    /// <summary>Why a node can only run whole; null where it has a cut rule.</summary>
    public static string? WholeReason(OnnxNode node)
    {
        if (node.Subgraphs.Count > 0)
        {
            return "has subgraphs (If / Loop / Scan run whole)";
        }
        return Find(node) switch
        {
            null => "no rule in the operator registry (shapes from ONNX Runtime)",
            { Cut: null, WholeReason: { } reason } => reason,
            { Cut: null } => "no cut rule",
            _ => null,
        };
    }

    private static Dictionary<string, OperatorRule> Build()
    {
        var t = new Dictionary<string, OperatorRule>(StringComparer.Ordinal);
        void Add(OperatorRule rule)
        {
            if (!t.TryAdd(rule.Key, rule))
            {
                throw new InvalidOperationException($"Operator {rule.Key} is registered twice.");
            }
        }
        void Each(IEnumerable<string> ops, Func<string, OperatorRule> make)
        {
            foreach (var op in ops)
            {
                Add(make(op));
            }
        }
        ShapeRule same = c => [c.In(0)];
        ShapeRule broadcast = c => [new TensorInfo(c.In(0).Type, OperatorShapes.Broadcast(c))];
        ShapeRule predicate = c => [new TensorInfo(OnnxElementType.Bool, OperatorShapes.Broadcast(c))];
        ValueRule relabel = (c, o) => ValueEvaluator.Relabel(c.Values[0]!, o);
        CutRule elementwise = CutRules.Elementwise;
        var one = new HashSet<int> { 1 };

        // Elementwise, same shape out. Values for the few that shape arithmetic uses; transcendental ones not folded in float.
        string[] exactUnary = ["Neg", "Abs", "Sqrt", "Floor", "Ceil", "Not"];
        string[] inexactUnary = ["Exp", "Log", "Sin", "Cos", "Sigmoid", "Reciprocal"];
        Each(exactUnary.Concat(inexactUnary), op => new OperatorRule(op)
        {
            Shape = same, Cut = elementwise, Value = (c, o) => ValueEvaluator.Unary(c.Values[0]!, o, op), FoldsFloatExactly = exactUnary.Contains(op),
        });
        Each(["Relu", "Tanh", "Erf", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "LeakyRelu", "Elu", "Selu", "Gelu", "Mish", "Round", "Sign",
              "com.microsoft.FastGelu", "com.microsoft.BiasGelu", "com.microsoft.QuickGelu"],
            op => new OperatorRule(op) { Shape = same, Cut = elementwise });
        Add(new OperatorRule("Identity") { Shape = same, Cut = elementwise, Value = relabel });
        Add(new OperatorRule("Clip") { Shape = same, Cut = c => CutRules.Elementwise(c, dataInputs: 1) });
        Add(new OperatorRule("Dropout") { Shape = c => [c.In(0), c.In(0) with { Type = OnnxElementType.Bool }], Cut = elementwise });
        Add(new OperatorRule("Cast") { Shape = c => [c.In(0) with { Type = (OnnxElementType)c.Attr("to", 1) }], Cut = elementwise, Value = (c, o) => ValueEvaluator.Cast(c.Values[0]!, o) });
        Add(new OperatorRule("CastLike") { Shape = c => [c.In(0) with { Type = c.In(1).Type }], Cut = elementwise });

        // Broadcasting binary operators.
        string[] exactBinary = ["Add", "Sub", "Mul", "Div", "Max", "Min"];
        Each(exactBinary.Concat(["Pow", "Mod"]), op => new OperatorRule(op)
        {
            Shape = broadcast, Cut = elementwise, Value = (c, o) => ValueEvaluator.Elementwise(c, o, op), FoldsFloatExactly = exactBinary.Contains(op),
        });
        Each(["Sum", "Mean", "PRelu", "BitShift"], op => new OperatorRule(op) { Shape = broadcast, Cut = elementwise });
        Each(["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or"], op => new OperatorRule(op)
        {
            Shape = predicate, Cut = elementwise, Value = (c, o) => ValueEvaluator.Elementwise(c, o, op),
        });
        Add(new OperatorRule("Xor") { Shape = predicate, Cut = elementwise });
        Add(new OperatorRule("Where") { Shape = c => [new TensorInfo(c.In(1).Type, OperatorShapes.Broadcast(c))], Cut = elementwise, Value = (c, o) => ValueEvaluator.Elementwise(c, o, "Where") });

        // Normalisations and softmax.
        Add(new OperatorRule("Softmax") { Shape = same, Cut = CutRules.Softmax });
        Add(new OperatorRule("LogSoftmax") { Shape = same, Cut = CutRules.Softmax });
        Add(new OperatorRule("LayerNormalization") { Shape = same, Cut = CutRules.LayerNormalization });
        Add(new OperatorRule("BatchNormalization") { Shape = same, Cut = CutRules.BatchNormalization });
        Add(new OperatorRule("InstanceNormalization") { Shape = same, Cut = CutRules.InstanceNormalization });
        Add(new OperatorRule("GroupNormalization") { Shape = same, Cut = CutRules.GroupNormalization });

        // Constants and shape arithmetic.
        Add(new OperatorRule("Constant") { Shape = c => [OperatorShapes.Constant(c)], Value = ValueEvaluator.FromConstant, ValueFromShapes = true });
        Add(new OperatorRule("Shape") { Shape = c => [new TensorInfo(OnnxElementType.Int64, [OperatorShapes.ShapeRange(c).Length])], Value = ValueEvaluator.ShapeOf, ValueFromShapes = true, WholeReason = "reads only a shape" });
        Add(new OperatorRule("Size") { Shape = c => [new TensorInfo(OnnxElementType.Int64, [])], Value = ValueEvaluator.SizeOf, ValueFromShapes = true, WholeReason = "reads only a shape" });
        Add(new OperatorRule("ConstantOfShape") { Shape = OperatorShapes.ConstantOfShape, Value = ValueEvaluator.ConstantOfShape });
        Add(new OperatorRule("Range") { Shape = OperatorShapes.Range, Value = ValueEvaluator.Range, FoldsFloatExactly = false });

        // Data movement.
        Add(new OperatorRule("Reshape")
        {
            Shape = c => [c.In(0) with { Dims = OperatorShapes.ReshapeDims(c.In(0).Dims, c.Ints(1), c.Attr("allowzero", 0) != 0, c) }],
            Cut = CutRules.Reshape, Value = relabel, PieceInputs = one,
        });
        Add(new OperatorRule("Flatten") { Shape = OperatorShapes.Flatten, Cut = CutRules.Reshape, Value = relabel });
        Add(new OperatorRule("Squeeze") { Shape = OperatorShapes.Squeeze, Cut = CutRules.Reshape, Value = relabel });
        Add(new OperatorRule("Unsqueeze") { Shape = OperatorShapes.Unsqueeze, Cut = CutRules.Reshape, Value = relabel });
        Add(new OperatorRule("Transpose") { Shape = OperatorShapes.Transpose, Cut = CutRules.Transpose });
        Add(new OperatorRule("Concat") { Shape = OperatorShapes.Concat, Cut = CutRules.Concat, Value = ValueEvaluator.Concat });
        Add(new OperatorRule("Split") { Shape = OperatorShapes.Split, Cut = CutRules.Split });
        Add(new OperatorRule("Slice") { Shape = c => [c.In(0) with { Dims = OperatorShapes.SliceRanges(c).Select(r => r.Length).ToArray() }], Cut = CutRules.Slice, Value = ValueEvaluator.Slice });
        Add(new OperatorRule("Gather") { Shape = OperatorShapes.Gather, Cut = CutRules.Gather, Value = ValueEvaluator.Gather });
        Add(new OperatorRule("Expand")
        {
            Shape = c => [c.In(0) with { Dims = OperatorShapes.BroadcastDims(c.In(0).Dims, c.Ints(1)) }],
            Cut = CutRules.Expand, Value = (c, o) => ValueEvaluator.Elementwise(c, o, "Expand"), PieceInputs = one,
        });
        Add(new OperatorRule("Tile") { Shape = c => [c.In(0) with { Dims = c.In(0).Dims.Zip(c.Ints(1), (a, b) => a * b).ToArray() }] });
        Add(new OperatorRule("Pad") { Shape = OperatorShapes.Pad, Cut = CutRules.Pad });
        Add(new OperatorRule("Resize") { Shape = OperatorShapes.Resize, Cut = CutRules.Resize, PieceInputs = new HashSet<int> { 3 } });

        // Convolutions, pooling, products.
        Add(new OperatorRule("Conv") { Shape = OperatorShapes.Conv, Cut = CutRules.Conv });
        Add(new OperatorRule("ConvTranspose") { Shape = ConvTransposeRules.Shape, Cut = ConvTransposeRules.Links });
        Add(new OperatorRule("MaxPool") { Shape = c => [c.In(0) with { Dims = OperatorShapes.WindowDims(c, c.Node.GetInts("kernel_shape")!) }], Cut = CutRules.Pool });
        Add(new OperatorRule("AveragePool") { Shape = c => [c.In(0) with { Dims = OperatorShapes.WindowDims(c, c.Node.GetInts("kernel_shape")!) }], Cut = CutRules.Pool });
        Each(["GlobalAveragePool", "GlobalMaxPool"], op => new OperatorRule(op)
        {
            Shape = c => [c.In(0) with { Dims = c.In(0).Dims.Select((d, i) => i < 2 ? d : 1L).ToArray() }], Cut = CutRules.GlobalPool,
        });
        Add(new OperatorRule("MatMul") { Shape = OperatorShapes.MatMul, Cut = CutRules.MatMul });
        Add(new OperatorRule("Gemm") { Shape = OperatorShapes.Gemm, Cut = CutRules.Gemm });
        Add(new OperatorRule("Einsum") { Shape = EinsumRules.Shape, Cut = EinsumRules.Links });

        // Reductions: cut along the axes they keep.
        string[] foldedReductions = ["ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin"];
        Each(foldedReductions.Concat(["ReduceMean", "ReduceL2", "ReduceL1", "ReduceSumSquare", "ReduceLogSumExp"]), op => new OperatorRule(op)
        {
            Shape = c => [c.In(0) with { Dims = OperatorShapes.ReduceDims(c).Output }], Cut = CutRules.Reduce,
            Value = foldedReductions.Contains(op) ? ValueEvaluator.ReduceSmall : null, FoldsFloatExactly = op is "ReduceMax" or "ReduceMin",
        });
        Each(["ArgMax", "ArgMin"], op => new OperatorRule(op) { Shape = OperatorShapes.ArgReduce });

        // Quantization: a per-tensor scale computed from the data needs the whole tensor.
        Add(new OperatorRule("DynamicQuantizeLinear")
        {
            Shape = QuantizedRules.DynamicQuantizeShape,
            WholeReason = "its per-tensor scale and zero point are computed from the whole tensor",
        });
        Add(new OperatorRule("QuantizeLinear") { Shape = QuantizedRules.QuantizeShape, Cut = QuantizedRules.WithGivenScale });
        Add(new OperatorRule("DequantizeLinear") { Shape = QuantizedRules.DequantizeShape, Cut = QuantizedRules.WithGivenScale });
        Add(new OperatorRule("MatMulInteger") { Shape = QuantizedRules.MatMulIntegerShape, Cut = QuantizedRules.MatMulIntegerLinks });
        Add(new OperatorRule("ConvInteger") { Shape = QuantizedRules.ConvIntegerShape, Cut = QuantizedRules.ConvIntegerLinks });

        // Shapes that depend on the data.
        Add(new OperatorRule("NonZero") { Shape = c => throw DataDependent(c), WholeReason = "its output shape depends on the data" });
        Add(new OperatorRule("TopK") { Shape = OperatorShapes.TopK, WholeReason = "selects along an axis it needs whole" });
        return t;
    }

    /// <summary>The error for an output whose shape is known only when the node has run.</summary>
    public static PlanningException DataDependent(NodeContext c) =>
        new($"{c.Node.Describe()}: the shape of its output depends on the data; nothing after it can be planned.");
}
