using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Tests.Support;
using Google.Protobuf;

namespace Fme.MLNet.Tests.Onnx;

public class ErrorTests
{
    private static (TempFolder Dir, string Path) SavedModel()
    {
        var dir = new TempFolder();
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        var path = dir.File("model.onnx");
        model.Save(path);
        return (dir, path);
    }

    private static OnnxFormatException LoadFails(string path, params string[] fragments)
    {
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path));
        Assert.Contains(Path.GetFileName(path), e.Message);
        foreach (var f in fragments)
        {
            Assert.Contains(f, e.Message);
        }
        return e;
    }

    private static void Rewrite(string path, Action<ModelProto> change)
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        change(proto);
        File.WriteAllBytes(path, proto.ToByteArray());
    }

    [Fact]
    public void MissingFile()
    {
        using var dir = new TempFolder();
        LoadFails(dir.File("absent.onnx"), "not found");
    }

    [Fact]
    public void NotAProtobufFile()
    {
        using var dir = new TempFolder();
        var path = dir.File("text.onnx");
        File.WriteAllText(path, "this is a text file, not a model\n");
        LoadFails(path, "not an ONNX model");
    }

    [Fact]
    public void TruncatedFile()
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            LoadFails(path, "truncated");
        }
    }

    [Fact]
    public void MissingExternalDataFile()
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            File.Delete(path + ".data");
            LoadFails(path, "model.onnx.data", "not found", "conv_in.weight");
        }
    }

    [Theory]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("../outside.bin", "climbs out")]
    [InlineData("sub/../../outside.bin", "climbs out")]
    public void ExternalLocationOutsideTheFolder_IsRefused(string location, string expected)
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            Rewrite(path, m => new ExternalDataReference(location, 0, 4).WriteTo(m.Graph.Initializer.First(t => t.IsExternal())));
            LoadFails(path, expected, location);
        }
    }

    [Fact]
    public void ExternalLinkOutsideTheFolder_IsRefused()
    {
        var (dir, path) = SavedModel();
        using (dir)
        using (var other = new TempFolder())
        {
            var target = other.File("secret.bin");
            File.WriteAllBytes(target, new byte[1 << 20]);
            File.CreateSymbolicLink(dir.File("link.bin"), target);
            Rewrite(path, m => new ExternalDataReference("link.bin", 0, null).WriteTo(m.Graph.Initializer.First(t => t.IsExternal())));
            LoadFails(path, "link", "outside");
        }
    }

    [Theory]
    [InlineData(1L << 40, null)]
    [InlineData(0L, 1L << 40)]
    public void ExternalRangePastTheEnd_IsRefused(long offset, long? length)
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            Rewrite(path, m => new ExternalDataReference("model.onnx.data", offset, length).WriteTo(m.Graph.Initializer.First(t => t.IsExternal())));
            LoadFails(path, "past the end");
        }
    }

    [Fact]
    public void UnknownDataType()
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            Rewrite(path, m => m.Graph.Initializer.First(t => t.Name == "conv_in.bias").DataType = 99);
            LoadFails(path, "conv_in.bias", "unknown data type 99");
        }
    }

    [Fact]
    public void DuplicateTensorNames()
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            Rewrite(path, m => m.Graph.Node[1].Output[0] = m.Graph.Node[0].Output[0]);
            LoadFails(path, "duplicate tensor name");
        }
    }

    [Fact]
    public void GraphWithACycle()
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            Rewrite(path, m =>
            {
                // conv_in reads the output of a later node.
                var conv = m.Graph.Node.First(n => n.OpType == "Conv");
                var later = m.Graph.Node.Last(n => n.OpType == "Add");
                conv.Input[0] = later.Output[0];
            });
            LoadFails(path, "not a DAG");
        }
    }

    [Fact]
    public void UndefinedInput()
    {
        var (dir, path) = SavedModel();
        using (dir)
        {
            Rewrite(path, m => m.Graph.Node.First(n => n.OpType == "Conv").Input[0] = "nowhere");
            LoadFails(path, "'nowhere'", "no node, initializer or graph input");
        }
    }
}
