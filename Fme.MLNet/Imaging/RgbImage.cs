using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Fme.MLNet.Imaging;

/// <summary>
/// An immutable 8-bit RGB image held in managed memory: rows top to bottom, 3 bytes per pixel (R, G, B), no
/// padding. It is what every image source (ML.NET <c>MLImage</c>, files, ImageSharp images) is copied into, so that
/// the preprocessing owns its pixels and does not depend on the source staying alive.
/// </summary>
public sealed partial class RgbImage
{
    private readonly byte[] _pixels;

    private RgbImage(byte[] pixels, int width, int height)
    {
        _pixels = pixels;
        Width = width;
        Height = height;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>The pixels: Width x Height x 3 bytes, R G B per pixel, rows top to bottom.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The pixel array itself, for resamplers that read it from several threads; never written.</summary>
    internal byte[] PixelArray => _pixels;

    /// <summary>Copies interleaved RGB24 pixels.</summary>
    /// <param name="pixels">width x height x 3 bytes, R G B per pixel, rows top to bottom.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="limit">Largest size accepted; null for <see cref="ImageSizeLimit.Default"/>.</param>
    public static RgbImage FromRgb24(ReadOnlySpan<byte> pixels, int width, int height, ImageSizeLimit? limit = null)
    {
        (limit ?? ImageSizeLimit.Default).Check(width, height, "given as RGB24 pixels", nameof(pixels));
        if (pixels.Length != width * height * 3)
        {
            throw new ArgumentException($"pixels has {pixels.Length} bytes; {width} x {height} RGB24 needs {width * height * 3}.", nameof(pixels));
        }
        return new RgbImage(pixels.ToArray(), width, height);
    }

    /// <summary>The image as a [1, 3, H, W] float tensor with values b / 255 in [0, 1].</summary>
    public ImageTensor ToTensor()
    {
        var data = new float[3 * Width * Height];
        PixelConversion.ToPlanar(_pixels, PixelConversion.Unit, data);
        return new ImageTensor(data, Height, Width);
    }

    /// <summary>A new ImageSharp image holding a copy of the pixels; the caller disposes it.</summary>
    public Image<Rgb24> ToImageSharp() => Image.LoadPixelData<Rgb24>(_pixels, Width, Height);
}
