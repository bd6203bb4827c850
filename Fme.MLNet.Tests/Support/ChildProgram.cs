using Fme.MLNet.Diagnostics;
using Fme.MLNet.Imaging;

namespace Fme.MLNet.Tests.Support;

/// <summary>
/// The test assembly's entry point when it is started as a program (<c>dotnet Fme.MLNet.Tests.dll read-image FILE [clip]</c>):
/// peak memory can only be told apart from other tests' allocations in a fresh process.
/// </summary>
internal static class ChildProgram
{
    public static int Main(string[] args)
    {
        if (args is not ["read-image", var path, .. var then] || then is not ([] or ["clip"]))
        {
            Console.Error.WriteLine("usage: read-image FILE [clip]   (clip: then preprocess it for CLIP at 224 x 224)");
            return 2;
        }
        var before = ProcessMemory.ResidentBytes;
        string outcome;
        try
        {
            var image = RgbImage.FromFile(path);
            if (then is ["clip"])
            {
                _ = new ClipImagePreprocessor().Process(image);
            }
            outcome = $"read {image.Width} x {image.Height} first pixel {image.Pixels[0]} {image.Pixels[1]} {image.Pixels[2]}";
        }
        catch (Exception e)
        {
            outcome = $"refused {e.GetType().FullName}: {e.Message}";
        }
        Console.WriteLine($"resident before {before}");
        Console.WriteLine($"peak resident {ProcessMemory.PeakResidentBytes}");
        Console.WriteLine(outcome);
        return 0;
    }
}
