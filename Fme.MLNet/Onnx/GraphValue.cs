namespace Fme.MLNet.Onnx;

/// <summary>A tensor of a graph under construction: its name and element type.</summary>
/// <param name="Name">Tensor name in the graph.</param>
/// <param name="ElementType">Element type.</param>
public readonly record struct GraphValue(string Name, OnnxElementType ElementType)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: {OnnxElementTypes.Name(ElementType)}";
}
