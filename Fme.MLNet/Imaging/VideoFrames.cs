namespace Fme.MLNet.Imaging;

/// <summary>
/// A short video in memory: <see cref="FrameCount"/> frames of <see cref="Width"/> x <see cref="Height"/> 8-bit RGB
/// pixels and a frame rate. Immutable; the pixels are managed memory, so there is nothing to dispose.
/// </summary>
public sealed partial class VideoFrames
{
    private readonly byte[] _rgb;

    private VideoFrames(byte[] rgb, int frameCount, int width, int height, double fps)
    {
        _rgb = rgb;
        FrameCount = frameCount;
        Width = width;
        Height = height;
        Fps = fps;
    }

    /// <summary>Number of frames.</summary>
    public int FrameCount { get; }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Frames per second, used for playback (GIF frame delay).</summary>
    public double Fps { get; }

    /// <summary>Bytes in one frame: Width x Height x 3.</summary>
    public int FrameByteCount => Width * Height * 3;

    /// <summary>
    /// Converts the temporal VAE decoder's output, [F, 3, H, W] float32 in about [-1, 1]: each value becomes
    /// round(clamp(x * 0.5 + 0.5, 0, 1) * 255) in float32, rounding halves to even as PyTorch's and NumPy's
    /// <c>round</c> do (so 0 -> 127.5 -> 128, and 126.5 -> 126); NaN becomes 0.
    /// </summary>
    /// <param name="decoded">F x 3 x H x W values, planar per frame.</param>
    /// <param name="frameCount">F.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="fps">Frames per second, positive.</param>
    public static VideoFrames FromDecoderOutput(ReadOnlySpan<float> decoded, int frameCount, int height, int width, double fps)
    {
        var count = CheckShape(frameCount, width, height, fps);
        if (decoded.Length != count)
        {
            throw new ArgumentException(
                $"decoded has {decoded.Length} values; shape [{frameCount}, 3, {height}, {width}] needs {count}.", nameof(decoded));
        }
        return new VideoFrames(FrameQuantizer.ToRgb24(decoded, frameCount, height, width), frameCount, width, height, fps);
    }

    /// <summary>Copies ready 8-bit frames: F frames one after another, each rows of R G B bytes.</summary>
    /// <param name="frames">F x H x W x 3 bytes.</param>
    /// <param name="frameCount">F.</param>
    /// <param name="width">W.</param>
    /// <param name="height">H.</param>
    /// <param name="fps">Frames per second, positive.</param>
    public static VideoFrames FromRgb24(ReadOnlySpan<byte> frames, int frameCount, int width, int height, double fps)
    {
        var count = CheckShape(frameCount, width, height, fps);
        if (frames.Length != count)
        {
            throw new ArgumentException($"frames has {frames.Length} bytes; {frameCount} frames of {width} x {height} RGB24 need {count}.", nameof(frames));
        }
        return new VideoFrames(frames.ToArray(), frameCount, width, height, fps);
    }

    /// <summary>One frame's pixels: Height rows of Width x (R, G, B) bytes.</summary>
    /// <param name="index">0-based frame index.</param>
    public ReadOnlyMemory<byte> GetFrame(int index)
    {
        if ((uint)index >= (uint)FrameCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Frame index must be in [0, {FrameCount - 1}].");
        }
        return _rgb.AsMemory(index * FrameByteCount, FrameByteCount);
    }

    private static long CheckShape(int frameCount, int width, int height, double fps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!(fps > 0 && double.IsFinite(fps)))
        {
            throw new ArgumentOutOfRangeException(nameof(fps), fps, "Frames per second must be positive and finite.");
        }
        var count = (long)frameCount * height * width * 3;
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"{frameCount} frames of {width} x {height} need {count} bytes, more than one array holds ({Array.MaxLength}).", nameof(frameCount));
        }
        return count;
    }
}
