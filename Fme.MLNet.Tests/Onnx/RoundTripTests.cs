using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Tests.Support;
using Google.Protobuf;

namespace Fme.MLNet.Tests.Onnx;

public class RoundTripTests
{
    [Fact]
    public void SaveLoadSave_KeepsWeightsGraphAndOutputs()
    {
        var rng = new TestRandom();
        using var dir = new TempFolder();
        var (model, _, _) = TestModels.SmallCnn(rng);
        var first = dir.File("a", "model.onnx");
        model.Save(first);
        Assert.True(File.Exists(first + ".data"), "large weights go to the external data file");

        var loaded = OnnxModel.Load(first);
        Assert.Contains(loaded.AllInitializers(), t => t.IsExternal());
        var second = dir.File("b", "copy.onnx");
        loaded.Save(second);
        var reloaded = OnnxModel.Load(second);

        foreach (var original in model.Proto.Graph.Initializer)
        {
            var bytes = reloaded.ReadTensorBytes(original.Name).ToArray();
            Assert.Equal(original.RawData.ToByteArray(), bytes);
        }
        Assert.Equal(model.Proto.Graph.Node, reloaded.Proto.Graph.Node);
        Assert.Equal(model.Proto.Graph.Input, reloaded.Proto.Graph.Input);

        var x = rng.Normal(2 * 32 * 8 * 8);
        var inputs = new Dictionary<string, (float[], int[])> { ["x"] = (x, [2, 32, 8, 8]) };
        var a = TestModels.RunPlain(first, inputs)["y"];
        var b = TestModels.RunPlain(second, inputs)["y"];
        Assert.Equal(a, b);
        Assert.Contains(a, v => v != 0f);
    }

    [Fact]
    public void UnknownFields_SurviveRoundTrip()
    {
        var rng = new TestRandom();
        using var dir = new TempFolder();
        var (model, _, _) = TestModels.SmallCnn(rng);
        // Field 99 of ModelProto and field 50 of a NodeProto are not in the schema: they must come back unchanged.
        var bytes = model.Proto.ToByteArray();
        var extra = new byte[] { 0x9A, 0x06, 0x03, (byte)'a', (byte)'b', (byte)'c' }; // field 99, length-delimited "abc"
        var path = dir.File("model.onnx");
        File.WriteAllBytes(path, bytes.Concat(extra).ToArray());
        var loaded = OnnxModel.Load(path);
        loaded.Save(dir.File("out", "model.onnx"), new OnnxSaveOptions { ExternalDataThreshold = long.MaxValue });
        var saved = File.ReadAllBytes(dir.File("out", "model.onnx"));
        Assert.True(saved.AsSpan().IndexOf(extra) >= 0, "unknown field 99 was dropped");
    }

    [Fact]
    public void SeveralModels_ShareOneDataFile()
    {
        var rng = new TestRandom();
        using var dir = new TempFolder();
        var (model, mid, _) = TestModels.SmallCnn(rng);
        var path = dir.File("model.onnx");
        model.Save(path, new OnnxSaveOptions { ExternalDataFileName = "weights.bin" });
        var loaded = OnnxModel.Load(path);

        var head = SubModelExtractor.Extract(loaded, ["x"], [mid]);
        var headPath = dir.File("head.onnx");
        head.Save(headPath, new OnnxSaveOptions { KeepExistingExternalData = true });
        Assert.Equal(new[] { "head.onnx", "model.onnx", "weights.bin" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());

        var headLoaded = OnnxModel.Load(headPath);
        var locations = headLoaded.AllInitializers().Where(t => t.IsExternal())
            .Select(t => ExternalDataReference.Parse(t, headPath).Location).Distinct().ToList();
        Assert.Equal(["weights.bin"], locations);
        var x = rng.Normal(1 * 32 * 4 * 4);
        var inputs = new Dictionary<string, (float[], int[])> { ["x"] = (x, [1, 32, 4, 4]) };
        var viaHead = TestModels.RunPlain(headPath, inputs)[mid];
        Assert.Equal(16 * 32, viaHead.Length);
    }

    [Fact]
    public void ModelOverTwoGigabytes_RoundTripsThroughExternalData()
    {
        using var dir = new TempFolder();
        // Three 768 MiB tensors written straight to disk: the model is 2.25 GiB and never held in memory.
        const long elements = 768L * 1024 * 1024 / 4;
        var graph = new GraphProto { Name = "big" };
        var src = dir.File("src");
        Directory.CreateDirectory(src);
        using (var data = File.Create(Path.Combine(src, "big.bin")))
        {
            var chunk = new byte[1 << 20];
            for (var t = 0; t < 3; t++)
            {
                var tensor = new TensorProto { Name = $"w{t}", DataType = (int)OnnxElementType.Float };
                tensor.Dims.Add(elements);
                new ExternalDataReference("big.bin", data.Position, elements * 4).WriteTo(tensor);
                graph.Initializer.Add(tensor);
                for (long written = 0; written < elements * 4; written += chunk.Length)
                {
                    chunk.AsSpan().Fill((byte)(t + 1));
                    chunk[0] = (byte)(written >> 20);
                    data.Write(chunk);
                }
            }
        }
        var x = new ValueInfoProto { Name = "w0", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } };
        graph.Output.Add(x);
        var proto = new ModelProto { IrVersion = 8, Graph = graph };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        File.WriteAllBytes(Path.Combine(src, "model.onnx"), proto.ToByteArray());

        var loaded = OnnxModel.Load(Path.Combine(src, "model.onnx"));
        var target = dir.File("dst", "model.onnx");
        loaded.Save(target);
        var copy = OnnxModel.Load(target);
        Assert.True(new FileInfo(target + ".data").Length >= 3 * elements * 4);
        using var a = File.OpenRead(Path.Combine(src, "big.bin"));
        foreach (var t in copy.Proto.Graph.Initializer)
        {
            var (path, offset, length) = copy.ResolveExternal(t);
            Assert.Equal(elements * 4, length);
            using var b = File.OpenRead(path);
            b.Position = offset;
            var original = loaded.ResolveExternal(loaded.Graph.GetInitializer(t.Name));
            a.Position = original.Offset;
            Assert.Equal(Hash(a, length), Hash(b, length));
        }
    }

    private static string Hash(Stream s, long length)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        while (length > 0)
        {
            var n = s.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            sha.AppendData(buffer, 0, n);
            length -= n;
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
