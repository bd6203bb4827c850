using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Google.Protobuf;

namespace Fme.MLNet.Tests.Onnx;

/// <summary>External data reached through a linked folder must not be read when the link leads outside the model's folder.</summary>
public class LinkedFolderTests
{
    /// <summary>A saved small model whose weights sit in <c>sub/weights.bin</c>, <c>sub</c> being a real folder.</summary>
    private static (TempFolder Dir, string Path) ModelWithWeightsInSub()
    {
        var dir = new TempFolder();
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        var path = dir.File("model.onnx");
        model.Save(path);
        Directory.CreateDirectory(dir.File("sub"));
        File.Move(path + ".data", dir.File("sub", "weights.bin"));
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        foreach (var t in proto.Graph.Initializer.Where(t => t.IsExternal()))
        {
            var old = ExternalDataReference.Parse(t, path);
            (old with { Location = "sub/weights.bin" }).WriteTo(t);
        }
        File.WriteAllBytes(path, proto.ToByteArray());
        return (dir, path);
    }

    /// <summary>Replaces the real folder <c>sub</c> by a link to a copy of it outside the model's folder.</summary>
    private static void LinkSubOutside(TempFolder dir, TempFolder outside)
    {
        File.Copy(dir.File("sub", "weights.bin"), outside.File("weights.bin"));
        Directory.Delete(dir.File("sub"), recursive: true);
        Directory.CreateSymbolicLink(dir.File("sub"), outside.Path);
    }

    private static void AssertNamesTheEscape(Exception e, string modelPath)
    {
        Assert.Contains(Path.GetFileName(modelPath), e.Message);
        Assert.Contains("sub/weights.bin", e.Message);
        Assert.Contains("outside the model's folder", e.Message);
    }

    [Fact]
    public void WeightsInARealSubFolder_Load()
    {
        var (dir, path) = ModelWithWeightsInSub();
        using (dir)
        {
            var model = OnnxModel.Load(path);
            Assert.Equal(File.ReadAllBytes(dir.File("sub", "weights.bin")).Length,
                model.AllInitializers().Where(t => t.IsExternal()).Sum(t => model.ResolveExternal(t).Length));
        }
    }

    [Fact]
    public void LinkedFolderLeadingOutside_IsRefusedAtLoad()
    {
        var (dir, path) = ModelWithWeightsInSub();
        using (dir)
        using (var outside = new TempFolder())
        {
            LinkSubOutside(dir, outside);
            AssertNamesTheEscape(Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path)), path);
            AssertNamesTheEscape(Assert.Throws<OnnxFormatException>(() => StreamlinedSession.Create(path)), path);
        }
    }

    [Fact]
    public void LinkedFolderInside_IsAccepted()
    {
        var (dir, path) = ModelWithWeightsInSub();
        using (dir)
        {
            Directory.Move(dir.File("sub"), dir.File("real"));
            Directory.CreateSymbolicLink(dir.File("sub"), dir.File("real"));
            var model = OnnxModel.Load(path);
            var first = model.AllInitializers().First(t => t.IsExternal());
            Assert.StartsWith(RealPath.Resolve(dir.File("real")), model.ResolveExternal(first).Path);
        }
    }

    [Fact]
    public void LinkLoop_IsRefused()
    {
        var (dir, path) = ModelWithWeightsInSub();
        using (dir)
        {
            Directory.Delete(dir.File("sub"), recursive: true);
            Directory.CreateSymbolicLink(dir.File("sub"), dir.File("sub"));
            var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path));
            Assert.Contains("symbolic links", e.Message);
            Assert.Contains("sub/weights.bin", e.Message);
        }
    }

    [Fact]
    public void FolderLinkedOutsideAfterCreate_IsRefusedBeforeTheExecutorReads()
    {
        var (dir, path) = ModelWithWeightsInSub();
        using (dir)
        using (var outside = new TempFolder())
        {
            // Created while the folder is sound; the link appears before the first run loads the weights.
            using var session = StreamlinedSession.Create(path, new StreamlineOptions { MinimumCutBytes = 0 });
            LinkSubOutside(dir, outside);
            var rng = new TestRandom();
            var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(2 * 32 * 8 * 8), [2, 32, 8, 8]) };
            AssertNamesTheEscape(Assert.Throws<OnnxFormatException>(() => Oracle.Streamlined(session, inputs)), path);
        }
    }
}
