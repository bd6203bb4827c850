using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing.Processors.Quantization;

namespace Fme.MLNet.Imaging;

public sealed partial class VideoFrames
{
    /// <summary>
    /// GIF frame delay in hundredths of a second: 100 / fps rounded, at least 1 (7 fps -> 14, which plays at
    /// 7.14 fps; GIF cannot say 7 exactly).
    /// </summary>
    public int GifFrameDelay => Math.Max(1, (int)Math.Round(100.0 / Fps));

    /// <summary>
    /// Writes a looping animated GIF. Each frame gets its own 256-colour palette from the Wu quantizer, without
    /// dithering (dither patterns change from frame to frame and make still areas shimmer). The file is written
    /// to a temporary file and then renamed.
    /// </summary>
    /// <param name="path">The GIF file; its folder is created if missing, an existing file is replaced.</param>
    public void SaveGif(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, SaveGif);
    }

    /// <summary>Writes a looping animated GIF to a stream (see <see cref="SaveGif(string)"/>); the stream stays open.</summary>
    /// <param name="stream">A writable stream.</param>
    public void SaveGif(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var image = ToImage(0);
        image.Metadata.GetGifMetadata().RepeatCount = 0; // 0 = loop forever
        image.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = GifFrameDelay;
        for (var i = 1; i < FrameCount; i++)
        {
            var frame = image.Frames.AddFrame(Pixels(i));
            frame.Metadata.GetGifMetadata().FrameDelay = GifFrameDelay;
        }
        image.SaveAsGif(stream, new GifEncoder
        {
            // Per-frame palettes: ImageSharp 2.1's global-palette mode gave wrong colours with the Wu quantizer.
            ColorTableMode = GifColorTableMode.Local,
            Quantizer = new WuQuantizer(new QuantizerOptions { Dither = null }),
        });
    }

    /// <summary>
    /// Writes one lossless PNG per frame, named <c>{prefix}_000.png</c>, <c>{prefix}_001.png</c>, ... (more digits
    /// when there are more than 1000 frames). Each file is written to a temporary file and then renamed.
    /// </summary>
    /// <param name="folder">The folder; created if missing. Existing files of the same names are replaced.</param>
    /// <param name="prefix">File name prefix: no path separators or characters invalid in file names.</param>
    /// <returns>The paths written, in frame order.</returns>
    public IReadOnlyList<string> SavePngFrames(string folder, string prefix = "frame")
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || prefix.Contains('/') || prefix.Contains('\\'))
        {
            throw new ArgumentException($"prefix '{prefix}' contains a path separator or a character not allowed in file names.", nameof(prefix));
        }
        var digits = Math.Max(3, (FrameCount - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        var encoder = new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 };
        var paths = new string[FrameCount];
        Parallel.For(0, FrameCount, i =>
        {
            var path = Path.Combine(folder, $"{prefix}_{i.ToString(new string('0', digits), System.Globalization.CultureInfo.InvariantCulture)}.png");
            using var image = ToImage(i);
            AtomicFile.Write(path, stream => image.SaveAsPng(stream, encoder));
            paths[i] = path;
        });
        return paths;
    }

    /// <summary>
    /// The frames as ML.NET images (Rgba32, opaque). The caller owns and disposes each <see cref="MLImage"/>.
    /// </summary>
    public MLImage[] ToMLImages()
    {
        var images = new MLImage[FrameCount];
        var rgba = new byte[Width * Height * 4];
        try
        {
            for (var i = 0; i < FrameCount; i++)
            {
                var rgb = GetFrame(i).Span;
                for (int p = 0, s = 0, t = 0; p < Width * Height; p++, s += 3, t += 4)
                {
                    rgba[t] = rgb[s];
                    rgba[t + 1] = rgb[s + 1];
                    rgba[t + 2] = rgb[s + 2];
                    rgba[t + 3] = 255;
                }
                images[i] = MLImage.CreateFromPixels(Width, Height, MLPixelFormat.Rgba32, rgba);
            }
            return images;
        }
        catch
        {
            foreach (var made in images)
            {
                made?.Dispose();
            }
            throw;
        }
    }

    /// <summary>One frame as a new ImageSharp image; the caller disposes it.</summary>
    /// <param name="index">0-based frame index.</param>
    public Image<Rgb24> ToImage(int index) => Image.LoadPixelData<Rgb24>(GetFrame(index).Span, Width, Height);

    private ReadOnlySpan<Rgb24> Pixels(int index) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Rgb24>(GetFrame(index).Span);
}
