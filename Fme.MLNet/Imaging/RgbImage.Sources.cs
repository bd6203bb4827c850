using System.Runtime.CompilerServices;
using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace Fme.MLNet.Imaging;

public sealed partial class RgbImage
{
    /// <summary>
    /// Copies the pixels of an ML.NET image. Call it as soon as the image is read: an upstream getter disposes
    /// the <see cref="MLImage"/> it handed out when asked for the next row. The size is checked before anything
    /// is allocated.
    /// </summary>
    /// <remarks>
    /// <see cref="MLImage"/> is SkiaSharp-backed and holds premultiplied alpha (Skia premultiplies when it decodes);
    /// colours are un-premultiplied and alpha is then dropped, which is what <c>PIL.Image.convert("RGB")</c> does
    /// in the reference. Fully transparent pixels have lost their colour in Skia and come out black.
    /// </remarks>
    /// <param name="image">The image; not disposed here.</param>
    /// <param name="item">Names the image in error messages, e.g. "column 'Image', row 3".</param>
    /// <param name="limit">Largest size accepted; null for <see cref="ImageSizeLimit.Default"/>.</param>
    /// <exception cref="ImageSizeException">The image is empty or too large.</exception>
    /// <exception cref="ArgumentException">The pixel format is neither Bgra32 nor Rgba32.</exception>
    public static RgbImage FromMLImage(MLImage image, string item = "image", ImageSizeLimit? limit = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width, height = image.Height;
        (limit ?? ImageSizeLimit.Default).Check(width, height, item, nameof(image));
        var (r, b) = image.PixelFormat switch
        {
            MLPixelFormat.Rgba32 => (0, 2),
            MLPixelFormat.Bgra32 => (2, 0),
            var other => throw new ArgumentException($"Image {item} has pixel format {other}; expected Bgra32 or Rgba32.", nameof(image)),
        };
        var source = image.Pixels;
        var stride = height > 0 ? source.Length / height : 0;
        if (stride < width * 4)
        {
            throw new ArgumentException($"Image {item} holds {source.Length} bytes of pixels; {width} x {height} at 4 bytes a pixel needs {width * height * 4}.", nameof(image));
        }
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            CopyRow(source.Slice(y * stride, width * 4), pixels.AsSpan(y * width * 3, width * 3), r, b);
        }
        return new RgbImage(pixels, width, height);
    }

    /// <summary>
    /// Reads an image file with ImageSharp (PNG, JPEG, BMP, GIF first frame, TIFF, WebP, ...). The header is read
    /// first and the size checked before the file is decoded. Alpha is dropped without compositing.
    /// </summary>
    /// <remarks>
    /// ImageSharp 2.x has known flaws in decoding crafted files; for untrusted input prefer ML.NET's image loading
    /// (SkiaSharp) and <see cref="FromMLImage"/>.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="limit">Largest size accepted; null for <see cref="ImageSizeLimit.Default"/>.</param>
    /// <exception cref="ArgumentException">The path is a directory.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an image ImageSharp can read, or its decoding asks for a buffer over 512 MB.</exception>
    /// <exception cref="ImageSizeException">The image is empty or too large.</exception>
    public static RgbImage FromFile(string path, ImageSizeLimit? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"Image path '{path}' is a directory; expected an image file (PNG, JPEG, ...).", nameof(path));
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' was not found.", path);
        }
        try
        {
            var info = Image.Identify(FileDecoding, path, out _)
                ?? throw new InvalidDataException($"Image file '{path}' is not in a format ImageSharp recognises (PNG, JPEG, BMP, GIF, TIFF, WebP, ...).");
            (limit ?? ImageSizeLimit.Default).Check(info.Width, info.Height, $"'{path}'", nameof(path));
            using var decoded = Image.Load<Rgb24>(FileDecoding, path);
            return FromImage(decoded, $"'{path}'", limit);
        }
        catch (ImageFormatException e)
        {
            throw new InvalidDataException($"Image file '{path}' could not be decoded: {e.Message}", e);
        }
        catch (InvalidMemoryOperationException e)
        {
            throw new InvalidDataException($"Image file '{path}' asks for a pixel buffer larger than {FileDecodingLimitMegabytes} MB: {e.Message}", e);
        }
        finally
        {
            // The pixels now live in the copy: give the decoder's pooled buffers back rather than keep them for the next file.
            FileDecoding.MemoryAllocator.ReleaseRetainedResources();
        }
    }

    // Largest single buffer a file decode may ask for: an Rgba64 canvas at the largest ImageSizeLimit (8 bytes a pixel).
    private const int FileDecodingLimitMegabytes = (int)(ImageSizeLimit.DefaultMaxPixels * 8 / 1_000_000);

    /// <summary>
    /// Decoders for files from users: metadata is skipped (a PNG text chunk can inflate to gigabytes before any pixel is
    /// read), an animation decodes its first frame only (an animated GIF keeps a full canvas per frame), and no buffer may
    /// exceed <see cref="FileDecodingLimitMegabytes"/>.
    /// </summary>
    private static readonly Configuration FileDecoding = CreateFileDecoding();

    private static Configuration CreateFileDecoding()
    {
        // A fresh configuration: Configuration.Default.Clone() shares its decoders, and changing them would change every
        // other ImageSharp user in the process.
        var configuration = new Configuration(new PngConfigurationModule(), new JpegConfigurationModule(), new GifConfigurationModule(),
            new BmpConfigurationModule(), new PbmConfigurationModule(), new TgaConfigurationModule(), new TiffConfigurationModule(),
            new WebpConfigurationModule());
        var formats = configuration.ImageFormatsManager;
        formats.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        formats.SetDecoder(GifFormat.Instance, new GifDecoder { IgnoreMetadata = true, DecodingMode = FrameDecodingMode.First, MaxFrames = 1 });
        formats.SetDecoder(TiffFormat.Instance, new TiffDecoder { IgnoreMetadata = true, DecodingMode = FrameDecodingMode.First });
        formats.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        formats.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = true });
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = FileDecodingLimitMegabytes });
        return configuration;
    }

    /// <summary>Copies the pixels of an ImageSharp image (its first frame); the image is not disposed here.</summary>
    /// <param name="image">The image.</param>
    /// <param name="item">Names the image in error messages.</param>
    /// <param name="limit">Largest size accepted; null for <see cref="ImageSizeLimit.Default"/>.</param>
    /// <exception cref="ImageSizeException">The image is too large.</exception>
    public static RgbImage FromImage(Image<Rgb24> image, string item = "image", ImageSizeLimit? limit = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        (limit ?? ImageSizeLimit.Default).Check(image.Width, image.Height, item, nameof(image));
        var pixels = new byte[image.Width * image.Height * 3];
        image.Frames.RootFrame.CopyPixelDataTo(pixels);
        return new RgbImage(pixels, image.Width, image.Height);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRow(ReadOnlySpan<byte> row, Span<byte> target, int r, int b)
    {
        for (int s = 0, t = 0; t < target.Length; s += 4, t += 3)
        {
            target[t] = row[s + r];
            target[t + 1] = row[s + 1];
            target[t + 2] = row[s + b];
            int alpha = row[s + 3];
            if (alpha != 255)
            {
                for (var k = 0; k < 3; k++)
                {
                    target[t + k] = alpha == 0 ? (byte)0 : (byte)Math.Min(255, (target[t + k] * 255 + alpha / 2) / alpha);
                }
            }
        }
    }
}
