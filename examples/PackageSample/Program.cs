using Fme.MLNet.Imaging;
using Fme.MLNet.Pipelines;

// What a project that adds the Fme.MLNet package does first: a short generation with the built-in tiny model set
// (random weights, so the video is noise), written as a GIF.
var output = args.Length > 0 ? args[0] : "package-sample.gif";
using var pipeline = VideoDiffusionPipeline.LoadTiny();
var image = RgbImage.FromRgb24(Gradient(96, 64), 96, 64);
var video = pipeline.Generate(image, new GenerationOptions { Width = 128, Height = 64, Steps = 2, NumFrames = 4, Seed = 1 });
video.Save(output, VideoFileFormats.FromPath(output) ?? VideoFileFormat.Gif);
Console.WriteLine($"Fme.MLNet {typeof(VideoFrames).Assembly.GetName().Version}: wrote {output} ({video.FrameCount} frames, {video.Width}x{video.Height}).");
return 0;

static byte[] Gradient(int width, int height)
{
    var pixels = new byte[width * height * 3];
    for (var i = 0; i < width * height; i++)
    {
        pixels[3 * i] = (byte)(255 * (i % width) / width);
        pixels[3 * i + 1] = (byte)(255 * (i / width) / height);
        pixels[3 * i + 2] = 128;
    }
    return pixels;
}
