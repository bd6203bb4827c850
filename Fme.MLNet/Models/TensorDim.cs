namespace Fme.MLNet.Models;

/// <summary>One axis of a network's input or output: a fixed size, or dynamic (with the export's name when it has one).</summary>
/// <param name="Value">The fixed size, or null when the axis is dynamic.</param>
/// <param name="Name">The dim_param of a dynamic axis, or null.</param>
public readonly record struct TensorDim(long? Value, string? Name)
{
    /// <summary>Whether the size is fixed by the graph.</summary>
    public bool IsFixed => Value is not null;

    /// <summary>Whether a tensor of <paramref name="size"/> along this axis fits.</summary>
    public bool Accepts(long size) => Value is not { } v || v == size;

    /// <inheritdoc />
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Name ?? "?";
}
