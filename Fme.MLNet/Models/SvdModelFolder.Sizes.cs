namespace Fme.MLNet.Models;

// Whether fixed-shape exports allow the sizes a caller asks for.
public sealed partial class SvdModelFolder
{
    /// <summary>
    /// Checks that every network accepts a video of <paramref name="frames"/> frames of <paramref name="height"/> x
    /// <paramref name="width"/> pixels, with <paramref name="unetBatch"/> rows per UNet call (2 with classifier-free
    /// guidance) and one image per encoder call. Dynamic axes accept anything; fixed ones only their size.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or not a multiple of 8, or a fixed axis does not allow it;
    /// the message lists each network's sizes that do fit.</exception>
    public void CheckSizes(int frames, int height, int width, int unetBatch = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unetBatch, 1);
        if (height < 8 || width < 8 || height % 8 != 0 || width % 8 != 0)
        {
            throw new ArgumentException($"Height and width must be positive multiples of 8 (the VAE's factor); asked for {height} x {width}.",
                height % 8 != 0 || height < 8 ? nameof(height) : nameof(width));
        }
        var (h, w) = (height / 8, width / 8);
        var crop = ClipConfig.CropSize;
        var problems = new List<string>();
        Fits(problems, Unet, SvdTensorRoles.Sample, [("batch", unetBatch), ("frames", frames), ("channels", UnetConfig.InChannels), ("latent height", h), ("latent width", w)]);
        Fits(problems, VaeDecoder, SvdTensorRoles.LatentSample, [("batch x frames", frames), ("channels", VaeConfig.LatentChannels), ("latent height", h), ("latent width", w)]);
        Fits(problems, VaeEncoder, SvdTensorRoles.Sample, [("batch", 1), ("channels", 3), ("height", height), ("width", width)]);
        Fits(problems, ImageEncoder, SvdTensorRoles.PixelValues, [("batch", 1), ("channels", 3), ("height", crop), ("width", crop)]);
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                $"The model folder's fixed-shape exports do not allow {frames} frames of {height} x {width} (UNet batch {unetBatch}): " +
                string.Join("; ", problems) + ".", nameof(frames));
        }
    }

    private static void Fits(List<string> problems, SvdNetwork network, string role, (string Axis, long Size)[] asked)
    {
        var tensor = network.Input(role);
        var wrong = asked.Select((a, i) => (a.Axis, a.Size, Fixed: tensor.FixedSize(i)))
            .Where(a => a.Fixed is { } f && f != a.Size)
            .Select(a => $"{a.Axis} is fixed at {a.Fixed}, asked for {a.Size}")
            .ToList();
        if (wrong.Count > 0)
        {
            problems.Add($"{network.OnnxPath} input '{tensor.Name}' {tensor.ShapeText}: {string.Join(", ", wrong)}");
        }
    }
}
