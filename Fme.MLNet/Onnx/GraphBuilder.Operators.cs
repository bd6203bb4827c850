using System.Runtime.InteropServices;
using Fme.MLNet.Onnx.Proto;
using Google.Protobuf;

namespace Fme.MLNet.Onnx;

// One helper per ONNX operator, with the specification's names and defaults.
public sealed partial class GraphBuilder
{
    /// <summary>A Constant node holding int64 values (a 1-D tensor, or a scalar when <paramref name="scalar"/>).</summary>
    public GraphValue Constant(long[] values, bool scalar = false)
    {
        var t = new TensorProto { DataType = (int)OnnxElementType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        if (!scalar)
        {
            t.Dims.Add(values.Length);
        }
        return Node("Constant", [], 1, [Attr.Tensor("value", t)], [OnnxElementType.Int64])[0];
    }

    /// <summary>A Constant node holding float values of the given element type (a scalar when <paramref name="dims"/> is empty).</summary>
    public GraphValue ConstantFloat(float[] values, OnnxElementType type = OnnxElementType.Float, params long[] dims)
    {
        byte[] bytes = type switch
        {
            OnnxElementType.Float => MemoryMarshal.AsBytes(values.AsSpan()).ToArray(),
            OnnxElementType.Float16 => MemoryMarshal.AsBytes(Array.ConvertAll(values, v => (Half)v).AsSpan()).ToArray(),
            _ => throw new ArgumentException($"Expected float or float16, found {OnnxElementTypes.Name(type)}.", nameof(type)),
        };
        var t = new TensorProto { DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        return Node("Constant", [], 1, [Attr.Tensor("value", t)], [type])[0];
    }

    /// <summary>Identity.</summary>
    public GraphValue Identity(GraphValue x) => Node1("Identity", [x]);

    /// <summary>Conv, 1-D to 3-D kernels; <paramref name="pads"/> as ONNX orders them (all begins, then all ends).</summary>
    public GraphValue Conv(GraphValue x, GraphValue w, GraphValue? b, long[] kernelShape, long[]? strides = null, long[]? pads = null,
        long[]? dilations = null, long group = 1)
    {
        var attributes = new List<AttributeProto>
        {
            Attr.Ints("dilations", dilations ?? Enumerable.Repeat(1L, kernelShape.Length).ToArray()),
            Attr.Int("group", group),
            Attr.Ints("kernel_shape", kernelShape),
            Attr.Ints("pads", pads ?? new long[kernelShape.Length * 2]),
            Attr.Ints("strides", strides ?? Enumerable.Repeat(1L, kernelShape.Length).ToArray()),
        };
        return Node("Conv", b is null ? [x, w] : [x, w, b], 1, attributes)[0];
    }

    /// <summary>InstanceNormalization.</summary>
    public GraphValue InstanceNormalization(GraphValue x, GraphValue scale, GraphValue bias, float epsilon) =>
        Node1("InstanceNormalization", [x, scale, bias], Attr.Float("epsilon", epsilon));

    /// <summary>LayerNormalization (opset 17).</summary>
    public GraphValue LayerNormalization(GraphValue x, GraphValue scale, GraphValue? bias, long axis = -1, float epsilon = 1e-5f) =>
        Node1("LayerNormalization", bias is null ? [x, scale] : [x, scale, bias], Attr.Int("axis", axis), Attr.Float("epsilon", epsilon));

    /// <summary>MatMul.</summary>
    public GraphValue MatMul(GraphValue a, GraphValue b) => Node1("MatMul", [a, b]);

    /// <summary>Gemm.</summary>
    public GraphValue Gemm(GraphValue a, GraphValue b, GraphValue? c, bool transA = false, bool transB = false, float alpha = 1f, float beta = 1f) =>
        Node1("Gemm", c is null ? [a, b] : [a, b, c], Attr.Float("alpha", alpha), Attr.Float("beta", beta),
            Attr.Int("transA", transA ? 1 : 0), Attr.Int("transB", transB ? 1 : 0));

    /// <summary>Softmax (opset 13 semantics: along one axis).</summary>
    public GraphValue Softmax(GraphValue x, long axis = -1) => Node1("Softmax", [x], Attr.Int("axis", axis));

    /// <summary>Resize with nearest neighbour and explicit scales, as upsampling exports write it.</summary>
    public GraphValue ResizeNearest(GraphValue x, float[] scales)
    {
        var s = ConstantFloat(scales, OnnxElementType.Float, scales.Length);
        return Node1("Resize", [x, null, s],
            Attr.String("coordinate_transformation_mode", "asymmetric"), Attr.Float("cubic_coeff_a", -0.75f),
            Attr.String("mode", "nearest"), Attr.String("nearest_mode", "floor"));
    }

    /// <summary>Reshape.</summary>
    public GraphValue Reshape(GraphValue x, GraphValue shape) => Node1("Reshape", [x, shape]);

    /// <summary>Reshape to a literal target (0 keeps a dimension, -1 infers one).</summary>
    public GraphValue Reshape(GraphValue x, params long[] shape) => Reshape(x, Constant(shape));

    /// <summary>Transpose.</summary>
    public GraphValue Transpose(GraphValue x, params long[] perm) => Node1("Transpose", [x], Attr.Ints("perm", perm));

    /// <summary>Concat.</summary>
    public GraphValue Concat(long axis, params GraphValue[] values) =>
        Node1("Concat", values.Select(v => (GraphValue?)v).ToArray(), Attr.Int("axis", axis));

    /// <summary>Split into equal parts (opset 13+: sizes as an input when given).</summary>
    public GraphValue[] Split(GraphValue x, long axis, long[] sizes) =>
        Node("Split", [x, Constant(sizes)], sizes.Length, [Attr.Int("axis", axis)]);

    /// <summary>Slice with literal starts / ends / axes / steps.</summary>
    public GraphValue Slice(GraphValue x, long[] starts, long[] ends, long[] axes, long[]? steps = null) =>
        Node1("Slice", steps is null
            ? [x, Constant(starts), Constant(ends), Constant(axes)]
            : [x, Constant(starts), Constant(ends), Constant(axes), Constant(steps)]);

    /// <summary>Gather.</summary>
    public GraphValue Gather(GraphValue x, GraphValue indices, long axis = 0) => Node1("Gather", [x, indices], Attr.Int("axis", axis));

    /// <summary>Gather with literal indices (a scalar index drops the axis).</summary>
    public GraphValue Gather(GraphValue x, long index, long axis = 0) => Gather(x, Constant([index], scalar: true), axis);

    /// <summary>Unsqueeze (opset 13+: axes as an input).</summary>
    public GraphValue Unsqueeze(GraphValue x, params long[] axes) => Node1("Unsqueeze", [x, Constant(axes)]);

    /// <summary>Squeeze (opset 13+: axes as an input).</summary>
    public GraphValue Squeeze(GraphValue x, params long[] axes) => Node1("Squeeze", [x, Constant(axes)]);

    /// <summary>Shape.</summary>
    public GraphValue Shape(GraphValue x) => Node("Shape", [x], 1, null, [OnnxElementType.Int64])[0];

    /// <summary>Cast.</summary>
    public GraphValue Cast(GraphValue x, OnnxElementType to) => Node("Cast", [x], 1, [Attr.Int("to", (long)to)], [to])[0];

    /// <summary>Expand.</summary>
    public GraphValue Expand(GraphValue x, GraphValue shape) => Node1("Expand", [x, shape]);

    /// <summary>Tile.</summary>
    public GraphValue Tile(GraphValue x, GraphValue repeats) => Node1("Tile", [x, repeats]);

    /// <summary>Pad with literal pads (opset 11+: pads as an input, all begins then all ends) and a mode (constant, reflect, edge).</summary>
    public GraphValue Pad(GraphValue x, long[] pads, string mode = "constant") =>
        Node1("Pad", [x, Constant(pads)], Attr.String("mode", mode));

    /// <summary>Where.</summary>
    public GraphValue Where(GraphValue condition, GraphValue x, GraphValue y) => Node("Where", [condition, x, y], 1, null, [x.ElementType])[0];

    /// <summary>Equal.</summary>
    public GraphValue Equal(GraphValue a, GraphValue b) => Node("Equal", [a, b], 1, null, [OnnxElementType.Bool])[0];

    /// <summary>ConstantOfShape with a float value.</summary>
    public GraphValue ConstantOfShape(GraphValue shape, float value, OnnxElementType type = OnnxElementType.Float)
    {
        var t = new TensorProto { DataType = (int)type };
        t.Dims.Add(1);
        t.RawData = type == OnnxElementType.Float16
            ? ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { (Half)value }.AsSpan()))
            : ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { value }.AsSpan()));
        return Node("ConstantOfShape", [shape], 1, [Attr.Tensor("value", t)], [type])[0];
    }

    /// <summary>Range.</summary>
    public GraphValue Range(GraphValue start, GraphValue limit, GraphValue delta) => Node1("Range", [start, limit, delta]);

    /// <summary>ReduceMean over the given axes (attribute form, opset 17 and earlier).</summary>
    public GraphValue ReduceMean(GraphValue x, long[] axes, bool keepDims = true) =>
        Node1("ReduceMean", [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Add.</summary>
    public GraphValue Add(GraphValue a, GraphValue b) => Node1("Add", [a, b]);

    /// <summary>Sub.</summary>
    public GraphValue Sub(GraphValue a, GraphValue b) => Node1("Sub", [a, b]);

    /// <summary>Mul.</summary>
    public GraphValue Mul(GraphValue a, GraphValue b) => Node1("Mul", [a, b]);

    /// <summary>Div.</summary>
    public GraphValue Div(GraphValue a, GraphValue b) => Node1("Div", [a, b]);

    /// <summary>Pow.</summary>
    public GraphValue Pow(GraphValue a, GraphValue b) => Node1("Pow", [a, b]);

    /// <summary>Sqrt.</summary>
    public GraphValue Sqrt(GraphValue x) => Node1("Sqrt", [x]);

    /// <summary>Exp.</summary>
    public GraphValue Exp(GraphValue x) => Node1("Exp", [x]);

    /// <summary>Sin.</summary>
    public GraphValue Sin(GraphValue x) => Node1("Sin", [x]);

    /// <summary>Cos.</summary>
    public GraphValue Cos(GraphValue x) => Node1("Cos", [x]);

    /// <summary>Neg.</summary>
    public GraphValue Neg(GraphValue x) => Node1("Neg", [x]);

    /// <summary>Erf.</summary>
    public GraphValue Erf(GraphValue x) => Node1("Erf", [x]);

    /// <summary>Sigmoid.</summary>
    public GraphValue Sigmoid(GraphValue x) => Node1("Sigmoid", [x]);

    /// <summary>Tanh.</summary>
    public GraphValue Tanh(GraphValue x) => Node1("Tanh", [x]);

    /// <summary>Relu.</summary>
    public GraphValue Relu(GraphValue x) => Node1("Relu", [x]);
}
