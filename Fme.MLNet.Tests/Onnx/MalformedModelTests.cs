using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Google.Protobuf;

namespace Fme.MLNet.Tests.Onnx;

/// <summary>Malformed models are refused at load, before ONNX Runtime sees them, naming the file and the tensor.</summary>
public class MalformedModelTests
{
    private static (TempFolder Dir, string Path) Saved(Action<ModelProto> change)
    {
        var dir = new TempFolder();
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        var path = dir.File("model.onnx");
        model.Save(path, new OnnxSaveOptions { ExternalDataThreshold = long.MaxValue });
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        change(proto);
        File.WriteAllBytes(path, proto.ToByteArray());
        return (dir, path);
    }

    private static void Refused(Action<ModelProto> change, params string[] fragments)
    {
        var (dir, path) = Saved(change);
        using (dir)
        {
            foreach (var e in new Exception[]
                     {
                         Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path)),
                         Assert.Throws<OnnxFormatException>(() => StreamlinedSession.Create(path)),
                     })
            {
                Assert.Contains("model.onnx", e.Message);
                foreach (var f in fragments)
                {
                    Assert.Contains(f, e.Message);
                }
            }
        }
    }

    private static TensorProto Bias(ModelProto m) => m.Graph.Initializer.First(t => t.Name == "conv_in.bias");

    [Fact]
    public void InitializerWithoutData() => Refused(m => Bias(m).ClearRawData(), "conv_in.bias", "no data", "32 values");

    [Fact]
    public void InitializerWithTooFewTypedValues() => Refused(m =>
    {
        Bias(m).ClearRawData();
        Bias(m).FloatData.Add(new float[5]);
    }, "conv_in.bias", "5 values in float_data", "expected 32");

    [Fact]
    public void InitializerWithNegativeDims() => Refused(m =>
    {
        Bias(m).Dims.Clear();
        Bias(m).Dims.Add([-32]);
    }, "conv_in.bias", "negative dimension", "[-32]");

    [Fact]
    public void InitializerWithOverflowingDims() => Refused(m =>
    {
        Bias(m).Dims.Clear();
        Bias(m).Dims.Add([1L << 40, 1L << 40]);
    }, "conv_in.bias", "overflows 64 bits");

    [Fact]
    public void InitializerWithHugeDimsAndNoData_IsRefusedWithoutAllocating() => Refused(m =>
    {
        // 2^33 floats (32 GiB) declared, none stored: must fail on the count, not on an allocation.
        Bias(m).ClearRawData();
        Bias(m).Dims.Clear();
        Bias(m).Dims.Add([1L << 33]);
    }, "conv_in.bias", "no data");

    [Theory]
    [InlineData(0L)]
    [InlineData(99L)]
    public void UnknownOpsetVersion(long version) => Refused(m => m.OpsetImport.Single(o => o.Domain.Length == 0).Version = version,
        $"opset version is {version}", $"1 to {OnnxModel.MaxOpsetVersion}");

    [Fact]
    public void OutputListedTwice() => Refused(m => m.Graph.Output.Add(m.Graph.Output[0].Clone()), "graph output 'y' is listed twice");

    [Fact]
    public void OutputNobodyDefines() => Refused(m => m.Graph.Output[0].Name = "nowhere", "graph output 'nowhere'", "not defined");

    [Fact]
    public void NulInExternalDataLocation()
    {
        var (dir, path) = Saved(_ => { });
        using (dir)
        {
            // Resave with external data, then put a NUL into one location.
            OnnxModel.Load(path).Save(path, new OnnxSaveOptions { ExternalDataThreshold = 0 });
            var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var tensor = proto.Graph.Initializer.First(t => t.IsExternal());
            (ExternalDataReference.Parse(tensor, path) with { Location = "model.onnx\0.data" }).WriteTo(tensor);
            File.WriteAllBytes(path, proto.ToByteArray());
            var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path));
            Assert.Contains(tensor.Name, e.Message);
            Assert.Contains("control character (code 0", e.Message);
            Assert.Contains("model.onnx?.data", e.Message);
        }
    }
}
