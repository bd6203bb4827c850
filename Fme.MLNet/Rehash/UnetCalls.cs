namespace Fme.MLNet.Rehash;

/// <summary>
/// Which kind of UNet call each denoising step of a generation made: the whole UNet (full), or only the outermost levels
/// with the cached deep tensor (shallow, on rehash steps). Without Step Rehash every step is full.
/// </summary>
/// <param name="FullSteps">Steps that ran the whole UNet, ascending.</param>
/// <param name="ShallowSteps">Steps that ran only the shallow part, ascending.</param>
public sealed record UnetCalls(IReadOnlyList<int> FullSteps, IReadOnlyList<int> ShallowSteps)
{
    /// <summary>No calls (before the first generation).</summary>
    public static UnetCalls None { get; } = new([], []);

    /// <summary>Number of full calls.</summary>
    public int Full => FullSteps.Count;

    /// <summary>Number of shallow calls.</summary>
    public int Shallow => ShallowSteps.Count;

    /// <inheritdoc />
    public override string ToString() => $"{Full} full UNet calls [{string.Join(", ", FullSteps)}], {Shallow} shallow";
}
