using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>What an operator rule sees of one node: its attributes, input types and shapes, and known input values.</summary>
internal sealed class NodeContext
{
    public NodeContext(OnnxNode node, TensorInfo?[] inputs, KnownValue?[] values, long opset, TensorInfo[]? outputs = null)
    {
        Node = node;
        Inputs = inputs;
        Values = values;
        Opset = opset;
        Outputs = outputs ?? [];
    }

    public OnnxNode Node { get; }

    /// <summary>Input infos; null for an omitted optional input.</summary>
    public TensorInfo?[] Inputs { get; }

    /// <summary>Known input values; null where the value is data.</summary>
    public KnownValue?[] Values { get; }

    /// <summary>Output infos (available to cut rules, after shape inference).</summary>
    public TensorInfo[] Outputs { get; }

    /// <summary>Default-domain opset of the model.</summary>
    public long Opset { get; }

    public int InputCount => Inputs.Length;

    public bool Has(int i) => i < Inputs.Length && Inputs[i] is not null;

    public TensorInfo In(int i) => i < Inputs.Length && Inputs[i] is { } t
        ? t
        : throw new PlanningException($"{Node.Describe()}: input {i} is missing.");

    public KnownValue? Value(int i) => i < Values.Length ? Values[i] : null;

    /// <summary>A known integer input (a shape, axes, sizes); an error names the node when it is not known.</summary>
    public long[] Ints(int i)
    {
        var v = Value(i);
        if (v is null || !v.IsInteger)
        {
            throw new PlanningException(
                $"{Node.Describe()}: input {i} ('{Node.Inputs[i]}') must be known before running (a constant or computed from shapes); it is data.");
        }
        return v.Ints!;
    }

    public long Attr(string name, long defaultValue) => Node.GetInt(name, defaultValue);

    public static int NormalizeAxis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);
}
