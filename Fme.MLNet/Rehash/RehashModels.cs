using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Rehash;

/// <summary>
/// The two models Step Rehash runs, cut from a UNet at the deep tensor D of a depth (<see cref="UnetSkipStructure.DeepTensor"/>):
/// <see cref="Full"/> is the whole UNet with D as an extra output, <see cref="Shallow"/> computes the UNet's outputs
/// from its inputs and D, holding only what the outermost levels need. Both keep the UNet's tensor names and share its
/// weights (external data stays in the UNet's folder). Immutable; holds no session.
/// </summary>
public sealed class RehashModels
{
    private RehashModels(OnnxModel full, OnnxModel shallow, string deepTensor, int depth, int unetNodes)
    {
        Full = full;
        Shallow = shallow;
        DeepTensor = deepTensor;
        Depth = depth;
        UnetNodeCount = unetNodes;
    }

    /// <summary>The UNet with the deep tensor as its last output.</summary>
    public OnnxModel Full { get; }

    /// <summary>The UNet's outputs from its inputs plus the deep tensor (its last input).</summary>
    public OnnxModel Shallow { get; }

    /// <summary>The name of the deep tensor D.</summary>
    public string DeepTensor { get; }

    /// <summary>How many of the outermost resolution levels the shallow model recomputes.</summary>
    public int Depth { get; }

    /// <summary>Nodes in the UNet the models were cut from.</summary>
    public int UnetNodeCount { get; }

    /// <summary>Cuts the two models from a UNet.</summary>
    /// <param name="unet">The UNet graph.</param>
    /// <param name="structure">Its skip connections (<see cref="UnetSkipStructure.Find"/>).</param>
    /// <param name="depth">How many of the outermost levels to recompute on rehash steps: 1 to the number of levels.</param>
    /// <exception cref="ArgumentOutOfRangeException">The depth is out of range.</exception>
    /// <exception cref="RehashException">The shallow part would still need the deep levels (the graph is not split by D).</exception>
    public static RehashModels Build(OnnxModel unet, UnetSkipStructure structure, int depth)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(structure);
        var deep = structure.DeepTensor(depth);
        var graph = unet.Graph;
        var inputs = graph.Inputs.Select(i => i.Name).ToList();
        var outputs = graph.Outputs.Select(o => o.Name).ToList();
        var info = structure.MainInfos[deep];
        ValueInfoProto? TypeOf(string name) => name != deep ? null : new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)info.Type,
                    // Only the rank: the sizes follow the input shapes.
                    Shape = new TensorShapeProto { Dim = { Enumerable.Range(0, info.Rank).Select(_ => new TensorShapeProto.Types.Dimension()) } },
                },
            },
        };
        var full = SubModelExtractor.Extract(unet, inputs, [.. outputs, deep], TypeOf);
        var shallow = SubModelExtractor.Extract(unet, [.. inputs, deep], outputs, TypeOf);

        // The deeper levels' skip tensors are made by the down path below the cut: a shallow model that still makes one
        // would compute the deep part on every step.
        var made = shallow.Proto.Graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        var leak = structure.Levels.Skip(depth).SelectMany(l => l.Concats).FirstOrDefault(c => made.Contains(c.Skip));
        if (leak is not null)
        {
            throw new RehashException(
                $"{unet.FilePath ?? "the UNet"}: cutting at '{deep}' (depth {depth}) leaves the skip tensor '{leak.Skip}' of a deeper " +
                $"level ({leak.Height}x{leak.Width}) in the shallow part, so it would recompute the deep levels on every step. " +
                "Expected the outermost levels to depend on the deeper ones only through that tensor; this graph cannot be rehashed at this depth.");
        }
        return new RehashModels(full, shallow, deep, depth, graph.Nodes.Count);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Step Rehash at depth {Depth}: deep tensor '{DeepTensor}'; full model {Full.Proto.Graph.Node.Count} of {UnetNodeCount} nodes, " +
        $"shallow model {Shallow.Proto.Graph.Node.Count} nodes";
}
