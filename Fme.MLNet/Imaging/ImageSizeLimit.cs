namespace Fme.MLNet.Imaging;

/// <summary>
/// The largest image accepted before any pixel buffer is allocated or any file is decoded. Images come from
/// users and files, and a crafted header can announce a size whose buffers would exhaust memory.
/// </summary>
public sealed record ImageSizeLimit
{
    /// <summary>
    /// The default limit: 64 million pixels (for example 8000 x 8000). An image at the limit is 192 MB as 8-bit RGB and
    /// 768 MB as float RGB; reading it from a file peaks at about twice the 8-bit size (decoded, then copied), and the CLIP
    /// preprocessing of the pipeline holds the 8-bit image and two float copies (blur scratch), about 1.75 GB in all.
    /// </summary>
    public const long DefaultMaxPixels = 64_000_000;

    /// <summary>Creates a limit.</summary>
    /// <param name="maxPixels">Largest width x height accepted; at least 1.</param>
    public ImageSizeLimit(long maxPixels = DefaultMaxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        MaxPixels = maxPixels;
    }

    /// <summary>The limit used when none is given.</summary>
    public static ImageSizeLimit Default { get; } = new();

    /// <summary>Largest width x height accepted.</summary>
    public long MaxPixels { get; }

    /// <summary>Throws unless both sides are positive and their product is within <see cref="MaxPixels"/>.</summary>
    /// <param name="width">Width found, in pixels.</param>
    /// <param name="height">Height found, in pixels.</param>
    /// <param name="item">Names the image in the message: a file path, a column and row, ...</param>
    /// <param name="paramName">The caller's parameter that carried the image.</param>
    /// <exception cref="ImageSizeException">A side is not positive, or the image is too large.</exception>
    public void Check(long width, long height, string item, string paramName)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageSizeException(item, width, height, MaxPixels,
                $"Image {item} is {width} x {height} pixels; width and height must both be positive.", paramName);
        }
        if (width * height > MaxPixels)
        {
            throw new ImageSizeException(item, width, height, MaxPixels,
                $"Image {item} is {width} x {height} = {width * height} pixels, more than the {MaxPixels} allowed " +
                $"(raise {nameof(ImageSizeLimit)}.{nameof(MaxPixels)} to accept it).", paramName);
        }
    }
}
