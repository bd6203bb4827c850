using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;

namespace Fme.MLNet.Tests.MLNet;

/// <summary>Overloads and settings: no model is loaded here.</summary>
public class OptionsTests
{
    private readonly TestRandom _rng = new();

    [Fact]
    public void ColumnOverload_PassesEveryArgument()
    {
        var generation = new GenerationOptions { Width = 128, Height = 192, Steps = _rng.Next(1, 50), Seed = (ulong)_rng.Next(0, 1000) };
        var gpu = _rng.Next(0, 8);
        var estimator = new MLContext().Transforms.GenerateVideoFme("Clip", "Picture", "/models/svd", generation, gpu, fallbackToCpu: false);
        Assert.Equal(new GenerateVideoFmeOptions("Clip", "Picture")
        {
            ModelFolder = "/models/svd",
            Generation = generation,
            GpuDeviceId = gpu,
            FallbackToCpu = false,
        }, estimator.Options);
    }

    [Fact]
    public void ColumnOverload_Defaults_ReadTheOutputColumn_AndLeaveSettingsToTheContext()
    {
        var options = new MLContext().Transforms.GenerateVideoFme("Image").Options;
        Assert.Equal(("Image", "Image"), (options.OutputColumnName, options.InputColumnName));
        Assert.Null(options.ModelFolder);
        Assert.Same(GenerationOptions.Default, options.Generation);
        Assert.Same(StreamlineOptions.Default, options.Unet);
        Assert.Same(StreamlineOptions.Default, options.Decoder);
        Assert.Equal((null, null, null), (options.GpuDeviceId, options.FallbackToCpu, options.IntraOpNumThreads));
    }

    [Fact]
    public void OptionsOverload_KeepsTheOptionsAsGiven()
    {
        var options = new GenerateVideoFmeOptions("Video", "Image")
        {
            Unet = new StreamlineOptions { FrameChunks = _rng.Next(1, 9) },
            Decoder = StreamlineOptions.Unsliced,
            IntraOpNumThreads = _rng.Next(1, 5),
        };
        Assert.Same(options, new MLContext().Transforms.GenerateVideoFme(options).Options);
        Assert.Same(options, new GenerateVideoFmeEstimator(new MLContext(), options).Options);
    }

    [Fact]
    public void Options_RejectBlankNames_AndBadNumbers()
    {
        Assert.Throws<ArgumentException>(() => new GenerateVideoFmeOptions(" "));
        Assert.Throws<ArgumentException>(() => new GenerateVideoFmeOptions("Video", ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerateVideoFmeOptions("Video") { GpuDeviceId = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerateVideoFmeOptions("Video") { IntraOpNumThreads = 0 });
        Assert.Equal("Video", (new GenerateVideoFmeOptions("Video", "Image") with { InputColumnName = null }).InputColumnName);
    }

    [Fact]
    public void ContextSettings_FillWhatTheOptionsLeaveOpen()
    {
        var context = new MLContext { GpuDeviceId = _rng.Next(0, 4), FallbackToCpu = false };
        context.SetOnnxSessionOption(new OnnxSessionOptions { IntraOpNumThreads = 3 });
        var env = MLContextSettings.EnvironmentOf(context.Transforms);

        var fromContext = MLContextSettings.Read(env).Resolve(new GenerateVideoFmeOptions("Video"), null);
        Assert.Equal((context.GpuDeviceId, false, 3), (fromContext.GpuDeviceId, fromContext.FallbackToCpu, fromContext.IntraOpNumThreads));

        Assert.Equal((false, false), (fromContext.ShrinkArenas, fromContext.AllowTf32));

        var own = new GenerateVideoFmeOptions("Video")
        {
            GpuDeviceId = 7, FallbackToCpu = true, IntraOpNumThreads = 1, Unet = StreamlineOptions.Unsliced, ShrinkArenas = true, AllowTf32 = true,
        };
        var resolved = MLContextSettings.Read(env).Resolve(own, null);
        Assert.Equal((7, true, 1), (resolved.GpuDeviceId, resolved.FallbackToCpu, resolved.IntraOpNumThreads));
        Assert.Equal((true, true), (resolved.ShrinkArenas, resolved.AllowTf32));
        Assert.Same(StreamlineOptions.Unsliced, resolved.Unet);
    }

    [Fact]
    public void ContextDefaults_AreCpu_MLNetsFallback_AndOnnxRuntimeThreads()
    {
        var context = new MLContext();
        var resolved = MLContextSettings.Read(context).Resolve(new GenerateVideoFmeOptions("Video"), null);
        // ML.NET's own default is no fallback (as for ApplyOnnxModel); it matters only once a GPU is asked for.
        Assert.Equal((null, false, null), (resolved.GpuDeviceId, resolved.FallbackToCpu, resolved.IntraOpNumThreads));
        context.FallbackToCpu = true;
        Assert.True(MLContextSettings.Read(MLContextSettings.EnvironmentOf(context.Model)).FallbackToCpu);
    }

    [Fact]
    public void ASessionOptionsFactoryOnTheContext_IsNotUsed_AndTheLogSaysSo()
    {
        var context = new MLContext();
        context.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () => new Microsoft.ML.OnnxRuntime.SessionOptions() });
        var lines = new List<string>();
        MLContextSettings.Read(context).Resolve(new GenerateVideoFmeOptions("Video"), lines.Add);
        Assert.Contains("CreateSessionOptions", Assert.Single(lines));
        MLContextSettings.Read(new MLContext()).Resolve(new GenerateVideoFmeOptions("Video"), lines.Add);
        Assert.Single(lines);
    }
}
