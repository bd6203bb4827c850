using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// Rules of the quantization operators. DynamicQuantizeLinear computes its scale from the whole tensor, so it is never
/// cut (see the registry); operators that are given their scale and zero point cut like the float operator they stand
/// for, as long as the scale and zero point stay whole along the cut.
/// </summary>
internal static class QuantizedRules
{
    public static TensorInfo[] DynamicQuantizeShape(NodeContext c) =>
        [c.In(0) with { Type = OnnxElementType.UInt8 }, new TensorInfo(OnnxElementType.Float, []), new TensorInfo(OnnxElementType.UInt8, [])];

    public static TensorInfo[] QuantizeShape(NodeContext c)
    {
        var type = c.Has(2) ? c.In(2).Type : c.Node.HasAttribute("output_dtype") ? (OnnxElementType)c.Attr("output_dtype", 2) : OnnxElementType.UInt8;
        return [c.In(0) with { Type = type }];
    }

    public static TensorInfo[] DequantizeShape(NodeContext c) => [c.In(0) with { Type = c.In(1).Type }];

    /// <summary>Elementwise on the data; a per-axis scale pins its axis, a blocked one every axis.</summary>
    public static IEnumerable<CutLink> WithGivenScale(NodeContext c)
    {
        if (c.Attr("block_size", 0) > 0)
        {
            return [];
        }
        var perAxis = c.In(1).Elements > 1;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 1), c.In(0).Rank);
        return CutRules.Elementwise(c, dataInputs: 1).Where(l => !perAxis || l.Axes[0] != axis);
    }

    public static TensorInfo[] MatMulIntegerShape(NodeContext c) => [OperatorShapes.MatMul(c)[0] with { Type = OnnxElementType.Int32 }];

    /// <summary>As MatMul; rows of A and columns of B cut only where their zero point is one value for all.</summary>
    public static IEnumerable<CutLink> MatMulIntegerLinks(NodeContext c)
    {
        bool Scalar(int i) => !c.Has(i) || c.In(i).Elements == 1;
        var (a, b) = (c.In(0).Rank, c.In(1).Rank);
        return CutRules.MatMul(c).Where(l => (a < 2 || l.Axes[0] != a - 2 || Scalar(2)) && (b < 2 || l.Axes[1] != b - 1 || Scalar(3)));
    }

    public static TensorInfo[] ConvIntegerShape(NodeContext c) => [OperatorShapes.Conv(c)[0] with { Type = OnnxElementType.Int32 }];

    public static IEnumerable<CutLink> ConvIntegerLinks(NodeContext c) => c.Has(2) && c.In(2).Elements > 1 ? [] : CutRules.Conv(c);
}
