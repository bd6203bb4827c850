namespace Fme.MLNet.Imaging;

/// <summary>
/// One RGB image as a float32 tensor of shape [1, 3, H, W]: planar (all red values, then green, then blue),
/// rows top to bottom. What the values mean (0..1, -1..1, normalised) is said by whoever made it.
/// </summary>
public sealed class ImageTensor
{
    /// <summary>Wraps an array without copying it.</summary>
    /// <param name="data">3 x <paramref name="height"/> x <paramref name="width"/> values; this object takes the array over.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    public ImageTensor(float[] data, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (data.LongLength != 3L * height * width)
        {
            throw new ArgumentException($"data has {data.LongLength} values; shape [1, 3, {height}, {width}] needs {3L * height * width}.", nameof(data));
        }
        Data = data;
        Height = height;
        Width = width;
    }

    /// <summary>The values, [1, 3, H, W]. The array is shared, not copied: it can be handed to ONNX Runtime as is.</summary>
    public float[] Data { get; }

    /// <summary>Rows (H).</summary>
    public int Height { get; }

    /// <summary>Columns (W).</summary>
    public int Width { get; }

    /// <summary>The shape, [1, 3, H, W].</summary>
    public long[] Shape => [1, 3, Height, Width];

    /// <summary>One colour plane (0 red, 1 green, 2 blue), H x W values.</summary>
    /// <param name="channel">0, 1 or 2.</param>
    public Span<float> Plane(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)channel, 2u, nameof(channel));
        var size = Height * Width;
        return Data.AsSpan(channel * size, size);
    }
}
