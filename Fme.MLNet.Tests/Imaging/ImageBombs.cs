namespace Fme.MLNet.Tests.Imaging;

/// <summary>Small files that decode to far more memory than their size: what a hostile user would hand in as the image.</summary>
internal static class ImageBombs
{
    /// <summary>
    /// An animated GIF of <paramref name="frames"/> 1 x 1 frames on a <paramref name="size"/> x <paramref name="size"/>
    /// canvas: about 23 bytes a frame, while a decoder that keeps every frame as a full canvas needs size^2 x 4 bytes each.
    /// The first frame's pixel, at (0, 0), is red; the others are blue.
    /// </summary>
    public static byte[] AnimatedGif(int size, int frames)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteUInt16(gif, size);
        WriteUInt16(gif, size);
        gif.Write([0xF1, 0, 0]); // global colour table of 4 entries, background 0, square pixels
        gif.Write([0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]); // black, red, blue, white
        for (var f = 0; f < frames; f++)
        {
            gif.Write([0x21, 0xF9, 4, 0, 10, 0, 0, 0]); // graphic control: 0.1 s, no disposal, no transparency
            gif.WriteByte(0x2C);
            gif.Write([0, 0, 0, 0, 1, 0, 1, 0, 0]); // at (0, 0), 1 x 1, no local colour table
            // LZW with a 2-bit minimum code size (3-bit codes): clear (4), the colour index, end (5), packed LSB first.
            var index = f == 0 ? 1 : 2;
            gif.Write([2, 2, (byte)(4 | (index << 3) | (1 << 6)), 1, 0]);
        }
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    /// <summary>A 64 x 64 grey PNG with a zTXt chunk whose text inflates to <paramref name="textBytes"/> bytes.</summary>
    public static byte[] PngWithHugeText(long textBytes) => PngChunks.Png(64, 64,
        ("zTXt", PngChunks.CompressedText("Comment", textBytes)),
        ("IDAT", PngChunks.RepeatedRows(Enumerable.Repeat((byte)128, 64 * 3).ToArray(), 64)));

    /// <summary>A PNG of <paramref name="size"/> x <paramref name="size"/> pixels of one colour: a few hundred KB.</summary>
    public static byte[] LargeUniformPng(int size) => PngChunks.Png(size, size,
        ("IDAT", PngChunks.RepeatedRows(Enumerable.Range(0, size * 3).Select(i => (byte)(i % 3 == 0 ? 200 : 50)).ToArray(), size)));

    private static void WriteUInt16(Stream stream, int value)
    {
        stream.WriteByte((byte)value);
        stream.WriteByte((byte)(value >> 8));
    }
}
