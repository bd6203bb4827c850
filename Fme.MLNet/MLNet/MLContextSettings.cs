using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Onnx;

namespace Fme.MLNet.MLNet;

/// <summary>
/// The GPU and session settings an ML.NET user sets once on the context (<c>mlContext.GpuDeviceId</c>,
/// <c>mlContext.FallbackToCpu</c>, <c>mlContext.SetOnnxSessionOption</c>), read from any environment or catalog.
/// </summary>
/// <remarks>
/// ML.NET keeps these on an internal interface of its environment, and a catalog's environment behind an internal
/// interface too: both are reached by reflection, by interface and member name, checked by a test against the ML.NET
/// version the project pins.
/// </remarks>
internal sealed record MLContextSettings(int? GpuDeviceId, bool FallbackToCpu, OnnxSessionOptions? OnnxSessionOptions)
{
    private const string EnvironmentInterface = "IHostEnvironmentInternal";
    private const string CatalogInterface = "IInternalCatalog";

    /// <summary>The settings now in force on <paramref name="env"/>; ML.NET's defaults where it keeps none.</summary>
    public static MLContextSettings Read(IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var settings = FindInterface(env.GetType(), EnvironmentInterface);
        if (settings is null)
        {
            return new MLContextSettings(null, false, null);
        }
        var gpu = (int?)settings.GetProperty("GpuDeviceId")?.GetValue(env);
        var fallback = settings.GetProperty("FallbackToCpu")?.GetValue(env) as bool? ?? false;
        return new MLContextSettings(gpu, fallback, env.GetOnnxSessionOption());
    }

    /// <summary>The environment behind an ML.NET catalog such as <c>mlContext.Transforms</c> or <c>mlContext.Model</c>.</summary>
    /// <exception cref="NotSupportedException">This ML.NET version keeps it elsewhere.</exception>
    public static IHostEnvironment EnvironmentOf(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var property = FindInterface(catalog.GetType(), CatalogInterface)?.GetProperty("Environment");
        return property?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException(
                $"Could not reach the MLContext behind {catalog.GetType().Name} (built for Microsoft.ML 5.0.1, found " +
                $"{typeof(IHostEnvironment).Assembly.GetName().Version}). Create the estimator with " +
                $"new {nameof(GenerateVideoFmeEstimator)}(mlContext, options) instead.");
    }

    private static Type? FindInterface(Type type, string name) =>
        type.GetInterfaces().FirstOrDefault(i => i.Name == name && i.Assembly.GetName().Name?.StartsWith("Microsoft.ML", StringComparison.Ordinal) == true);

    /// <summary>Pipeline settings from the options, each left null filled in from these settings. Of the context's
    /// <c>OnnxSessionOptions</c> only <c>IntraOpNumThreads</c> applies: the streamlined sessions set their own arena and
    /// provider options, so a <c>CreateSessionOptions</c> factory is not used (and <paramref name="log"/> says so).</summary>
    public Pipelines.PipelineOptions Resolve(GenerateVideoFmeOptions options, Action<string>? log)
    {
        if (OnnxSessionOptions?.CreateSessionOptions is not null)
        {
            log?.Invoke("GenerateVideoFme does not use OnnxSessionOptions.CreateSessionOptions (its streamlined sessions set their own " +
                        "options); it takes GpuDeviceId, FallbackToCpu and IntraOpNumThreads from the context, or from GenerateVideoFmeOptions.");
        }
        return Apply(options, log);
    }

    private Pipelines.PipelineOptions Apply(GenerateVideoFmeOptions options, Action<string>? log) => new()
    {
        GpuDeviceId = options.GpuDeviceId ?? GpuDeviceId,
        FallbackToCpu = options.FallbackToCpu ?? FallbackToCpu,
        IntraOpNumThreads = options.IntraOpNumThreads ?? (OnnxSessionOptions?.IntraOpNumThreads is > 0 and var n ? n : null),
        ShrinkArenas = options.ShrinkArenas,
        AllowTf32 = options.AllowTf32,
        Unet = options.Unet,
        Decoder = options.Decoder,
        Log = log,
    };
}
