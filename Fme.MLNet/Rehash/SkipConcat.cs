namespace Fme.MLNet.Rehash;

/// <summary>
/// One skip connection of a UNet: a Concat node that joins the up path's tensor (<see cref="Main"/>) with a tensor the
/// down path made earlier (<see cref="Skip"/>), where <see cref="Main"/> is computed from <see cref="Skip"/> through the
/// deeper levels.
/// </summary>
/// <param name="NodeIndex">The Concat node's position in the graph's topological order.</param>
/// <param name="Output">The Concat's output tensor.</param>
/// <param name="Main">The input that comes up from the deeper levels.</param>
/// <param name="Skip">The input the down path made earlier.</param>
/// <param name="Height">The skip tensor's height (its second-to-last axis) for the analysed input shapes.</param>
/// <param name="Width">The skip tensor's width (its last axis).</param>
public sealed record SkipConcat(int NodeIndex, string Output, string Main, string Skip, long Height, long Width);

/// <summary>The skip connections of one resolution level of a UNet, in graph order.</summary>
/// <param name="Height">Height of the level's skip tensors.</param>
/// <param name="Width">Width of the level's skip tensors.</param>
/// <param name="Concats">Its skip concatenations, in topological order (the up path's order).</param>
public sealed record ResolutionLevel(long Height, long Width, IReadOnlyList<SkipConcat> Concats)
{
    /// <inheritdoc />
    public override string ToString() => $"{Height}x{Width}: {Concats.Count} skip concatenations";
}
