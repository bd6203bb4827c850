using Fme.MLNet.Models;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

public class TinySvdCacheTests
{
    [Fact]
    public void EnsureCached_WritesOnce_ReusesAValidCopy_AndRewritesADamagedOne()
    {
        using var root = new TempFolder();
        var options = new TinySvdOptions { Seed = 3 };
        var first = TinySvd.EnsureCached(options, root.Path);
        Assert.Equal(Path.Combine(root.Path, "tiny-svd-v1-seed3"), first.FolderPath);
        Assert.Equal(["tiny-svd-v1-seed3"], Directory.GetFileSystemEntries(root.Path).Select(Path.GetFileName));

        // Reused: a file only this copy has survives the second call.
        var sentinel = Path.Combine(first.FolderPath, "sentinel");
        File.WriteAllText(sentinel, "kept");
        Assert.Equal(first.FolderPath, TinySvd.EnsureCached(options, root.Path).FolderPath);
        Assert.True(File.Exists(sentinel));

        // Damaged (weights gone): rewritten in place, complete again.
        File.Delete(Path.Combine(first.FolderPath, "unet", "model.onnx.data"));
        var repaired = TinySvd.EnsureCached(options, root.Path);
        Assert.False(File.Exists(sentinel));
        Assert.True(File.Exists(Path.Combine(repaired.FolderPath, "unet", "model.onnx.data")));
        Assert.Equal(["tiny-svd-v1-seed3"], Directory.GetFileSystemEntries(root.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void EnsureCached_KeepsOptionsApart()
    {
        Assert.Equal("tiny-svd-v1-seed0", TinySvd.CacheFolderName(new TinySvdOptions()));
        Assert.Equal("tiny-svd-v1-seed7-fp16-f25-trt",
            TinySvd.CacheFolderName(new TinySvdOptions { Seed = 7, Float16 = true, NumFrames = 25, UnetLayout = TinyUnetLayout.TensorRt }));
    }

    [Fact]
    public void Options_AreValidated()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TinySvd.Write(dir.Path, new TinySvdOptions { NumFrames = 0 }));
        Assert.Equal("NumFrames", e.ParamName);
    }
}
