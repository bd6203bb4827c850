using Fme.MLNet.Streamlining.Execution;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Pipelines;

/// <summary>
/// Session options for each network, from <see cref="PipelineOptions"/>: CUDA when asked for and loadable, else the CPU
/// (when allowed). The CUDA provider is tried once per pipeline; the outcome is logged.
/// </summary>
internal sealed class SessionOptionsFactory(PipelineOptions options)
{
    private bool? _cudaWorks;
    private bool? _sharedArena;

    /// <summary>Whether the networks run on CUDA (known after the first <see cref="Create"/>).</summary>
    public bool UsesCuda => _cudaWorks == true;

    /// <summary>New options for one network; the caller owns them.</summary>
    /// <param name="streamlined">For a streamlined network: its groups share one arena (or, on their own threads, use none).</param>
    public SessionOptions Create(bool streamlined)
    {
        if (options.IntraOpNumThreads is null)
        {
            OrtThreading.EnsureEnvironment();
        }
        var session = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        try
        {
            if (options.IntraOpNumThreads is { } threads)
            {
                session.IntraOpNumThreads = threads;
                session.EnableCpuMemArena = !streamlined;
            }
            else
            {
                OrtThreading.Configure(session);
            }
            if (options.GpuDeviceId is { } device && _cudaWorks != false)
            {
                TryAppendCuda(session, device);
                if (_cudaWorks == true && options.IntraOpNumThreads is null && _sharedArena is null)
                {
                    _sharedArena = OrtThreading.ShareCudaArena(device, out var refusal);
                    options.Log?.Invoke(_sharedArena.Value
                        ? "Sessions share one CUDA arena."
                        : $"Sessions keep their own CUDA arenas ({refusal}); a streamlined network's device memory is then the sum of its groups' peaks.");
                }
            }
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The value of ONNX Runtime's <c>memory.enable_memory_arena_shrinkage</c> run option for <paramref name="session"/>
    /// (made by <see cref="Create"/>), naming only the arenas it has; null when shrinking is off or it has none.
    /// </summary>
    public string? ArenaShrinkage(SessionOptions session)
    {
        if (!options.ShrinkArenas)
        {
            return null;
        }
        var arenas = new List<string>();
        if (session.EnableCpuMemArena)
        {
            arenas.Add("cpu:0");
        }
        if (UsesCuda)
        {
            arenas.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"gpu:{options.GpuDeviceId}"));
        }
        return arenas.Count == 0 ? null : string.Join(';', arenas);
    }

    private void TryAppendCuda(SessionOptions session, int device)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string>
            {
                ["device_id"] = device.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // Grow the arena only by what is asked, so the streamlined peak is what the device holds.
                ["arena_extend_strategy"] = "kSameAsRequested",
                ["cudnn_conv_algo_search"] = "HEURISTIC",
                // TF32 rounds float32 matrix products to 10-bit mantissas, differently for each piece shape.
                ["use_tf32"] = options.AllowTf32 ? "1" : "0",
            });
            session.AppendExecutionProvider_CUDA(cuda);
            if (_cudaWorks is null)
            {
                options.Log?.Invoke($"Running on CUDA device {device}.");
            }
            _cudaWorks = true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            _cudaWorks = false;
            var reason = $"The CUDA execution provider could not be loaded for device {device}: the CUDA 13 and cuDNN 9 libraries " +
                         $"were not found or do not match ({e.Message}).";
            if (!options.FallbackToCpu)
            {
                throw new ExecutionProviderException(reason + " Install them (and put them on the library path), or set FallbackToCpu.", e);
            }
            options.Log?.Invoke(reason + " Running on the CPU instead.");
        }
    }
}
