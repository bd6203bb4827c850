using Fme.MLNet.Onnx;

namespace Fme.MLNet.Tests.Onnx;

/// <summary>With RecordShapes, value_info carries shapes as expressions of the inputs' dim_params; without, none.</summary>
public class RecordShapesTests
{
    private static string[] Dims(GraphBuilder b, GraphValue v) =>
        b.Build().Graph.GetValueInfo(v.Name)!.Type.TensorType.Shape?.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString()).ToArray()
        ?? [];

    [Fact]
    public void ShapeArithmetic_IsFollowedThroughReshapeTargets()
    {
        var b = new GraphBuilder("g") { RecordShapes = true };
        var x = b.Input("x", OnnxElementType.Float, "batch", "frames", 8, "height", "width");
        var shape = b.Shape(x);
        var batch = b.Gather(shape, 0);
        var frames = b.Gather(shape, 1);
        // (B, F, C, H, W) -> (B*F, C, H, W), then back with B = (B*F) / F.
        var flat = b.Reshape(x, b.Concat(0, b.Unsqueeze(b.Mul(batch, frames), 0), b.Slice(shape, [2], [long.MaxValue], [0])));
        Assert.Equal(["batch*frames", "8", "height", "width"], Dims(b, flat));
        var back = b.Reshape(flat, b.Concat(0, b.Unsqueeze(b.Div(b.Gather(b.Shape(flat), 0), frames), 0), b.Unsqueeze(frames, 0), b.Constant([-1])));
        Assert.Equal(["batch", "frames", "8*height*width"], Dims(b, back));
    }

    [Fact]
    public void ConvResizeAndTranspose_FollowTheirRules()
    {
        var b = new GraphBuilder("g") { RecordShapes = true };
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", 6);
        var w = b.Initializer("w", new float[4 * 4 * 9], 4, 4, 3, 3);
        var down = b.Conv(x, w, null, [3, 3], [2, 2], [1, 1, 1, 1]);
        Assert.Equal(["n", "4", "ceil(h/2)", "3"], Dims(b, down));
        var up = b.ResizeNearest(down, [1, 1, 2, 2]);
        Assert.Equal(["n", "4", "2*ceil(h/2)", "6"], Dims(b, up));
        Assert.Equal(["6", "n", "2*ceil(h/2)", "4"], Dims(b, b.Transpose(up, 3, 0, 2, 1)));
    }

    [Fact]
    public void WithoutRecordShapes_ValueInfoHasTypesOnly()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4);
        var y = b.Sigmoid(x);
        var info = b.Build().Graph.GetValueInfo(y.Name)!;
        Assert.Equal((int)OnnxElementType.Float, info.Type.TensorType.ElemType);
        Assert.Null(info.Type.TensorType.Shape);
    }
}
