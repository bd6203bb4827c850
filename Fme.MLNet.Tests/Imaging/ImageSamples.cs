using Fme.MLNet.Imaging;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>Random and constant test images.</summary>
internal static class ImageSamples
{
    public static byte[] RandomBytes(TestRandom rng, int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)rng.Next(0, 256);
        }
        return bytes;
    }

    public static RgbImage RandomImage(TestRandom rng, int width, int height) =>
        RgbImage.FromRgb24(RandomBytes(rng, width * height * 3), width, height);

    public static RgbImage Constant(int width, int height, byte r, byte g, byte b) =>
        RgbImage.FromRgb24(Enumerable.Repeat(new[] { r, g, b }, width * height).SelectMany(p => p).ToArray(), width, height);
}
