namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>How a cut passes through an operator along one <see cref="CutLink"/>.</summary>
internal enum LinkKind
{
    /// <summary>Cutting every linked slot along its axis, running the pieces and joining them gives the unsliced result.</summary>
    Exact,

    /// <summary>
    /// Exact only if the normalisation statistics, which span the cut axis, are computed first over the whole input:
    /// the input must exist in full (the operator starts its group). Elsewhere it is an approximation (statistics per
    /// piece), taken only when approximate cuts are allowed.
    /// </summary>
    TwoPass,

    /// <summary>
    /// Not a valid cut, but the axes describe the same positions (a 3x3 convolution's height in and out): used to
    /// tell what an axis means (frames, pixels, batch), never to cut.
    /// </summary>
    Correspondence,
}

/// <summary>
/// One way an operator can be cut: for every input slot and then every output slot, the axis cut there, or null where
/// that tensor is used whole (broadcast, a weight, a shape input).
/// </summary>
internal sealed record CutLink(int?[] Axes, LinkKind Kind)
{
    public bool IsCut => Kind is LinkKind.Exact or LinkKind.TwoPass;
}
