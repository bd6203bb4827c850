using Fme.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// The ONNX Runtime environment as the executor wants it. One executor holds a session per group: with per-session thread
/// pools and arenas that would be dozens of idle pools, and the process would keep the sum of every group's arena peak.
/// When this library is the first to create the environment (creating any <see cref="SessionOptions"/> creates it, so
/// <see cref="EnsureEnvironment"/> must come before the first one), it creates it with global thread pools and one shared CPU
/// arena (growing only by what is asked), which every session it makes uses: memory freed by one group is reused by the
/// next, so the process holds about the largest group's working set rather than the sum. When someone else created the
/// environment first, sessions keep their own pools and run without an arena (memory returns after each run).
/// </summary>
internal static class OrtThreading
{
    private static readonly object Gate = new();
    private static bool? _global;
    private static readonly HashSet<int> CudaArenas = new();

    /// <summary>Creates the environment as this library wants it, unless it exists already. Call before creating SessionOptions.</summary>
    public static void EnsureEnvironment() => _ = GlobalPoolsAvailable;

    /// <summary>Whether the environment has global thread pools and the shared arena.</summary>
    public static bool GlobalPoolsAvailable
    {
        get
        {
            lock (Gate)
            {
                return _global ??= TryCreateEnvironment();
            }
        }
    }

    private static bool TryCreateEnvironment()
    {
        if (OrtEnv.IsCreated)
        {
            return false;
        }
        try
        {
            var options = new EnvironmentCreationOptions
            {
                logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                threadOptions = new OrtThreadingOptions { GlobalInterOpNumThreads = 1 },
            };
            var env = OrtEnv.CreateInstanceWithOptions(ref options);
            // Another thread may have created the native environment (a process singleton) first, without global pools,
            // while this one was creating it: then the options had no effect. Only a session that uses the pools tells.
            if (!GlobalPoolsWork())
            {
                return false;
            }
            if (UseSharedCpuArena)
            {
                using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
                using var arena = GrowingByRequest();
                env.CreateAndRegisterAllocator(memory, arena);
            }
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Registers one CUDA arena for <paramref name="device"/> in the environment (once), so that sessions configured by
    /// <see cref="Configure"/> share it: without it every group session keeps its own CUDA arena, and the device would
    /// hold the sum of every group's peak. Call after the CUDA provider was appended (so its library is loaded).
    /// </summary>
    /// <returns>Whether the arena is shared; false when the environment belongs to someone else or ONNX Runtime refused.</returns>
    public static bool ShareCudaArena(int device, out string? refusal)
    {
        refusal = null;
        lock (Gate)
        {
            if (!GlobalPoolsAvailable)
            {
                refusal = "the ONNX Runtime environment was created elsewhere";
                return false;
            }
            if (CudaArenas.Contains(device))
            {
                return true;
            }
            try
            {
                using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.ArenaAllocator, device, OrtMemType.Default);
                using var arena = GrowingByRequest();
                var id = device.ToString(System.Globalization.CultureInfo.InvariantCulture);
                OrtEnv.Instance().CreateAndRegisterAllocator("CUDAExecutionProvider", memory, arena, new Dictionary<string, string> { ["device_id"] = id });
                CudaArenas.Add(device);
                return true;
            }
            catch (OnnxRuntimeException e)
            {
                refusal = e.Message;
                return false;
            }
        }
    }

    /// <summary>An arena that grows only by what is asked: max memory 0 = unlimited, extend strategy 1 = kSameAsRequested, defaults otherwise.</summary>
    private static OrtArenaCfg GrowingByRequest() => new(0, 1, -1, -1);

    /// <summary>Whether a session without threads of its own can be created (it cannot when the environment has no global pools).</summary>
    private static bool GlobalPoolsWork()
    {
        var b = new GraphBuilder("global_pools_probe");
        b.Output(b.Identity(b.Input("x", OnnxElementType.Float, 1)), "y");
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        options.DisablePerSessionThreads();
        try
        {
            using var session = new InferenceSession(b.Build().ToBytes(), options);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether sessions made by <see cref="Configure"/> allocate from a shared CPU arena, registered with the environment
    /// (so set it before the environment is created). Off by
    /// default, by measurement (benchmarks/README.md): the arena keeps every chunk it ever grew, so a process running
    /// group after group holds the arena's fragmented high-water mark; without it, memory returns to the system allocator
    /// after each piece, the peak follows the memory model, and calls were not slower. A knob for the benchmarks.
    /// </summary>
    internal static bool UseSharedCpuArena { get; set; }

    /// <summary>
    /// Whether sessions made by <see cref="Configure"/> keep ONNX Runtime's memory pattern (one block per input shape,
    /// planned for all of a run's intermediates at once). Off by default, like the arena: a knob for the benchmarks.
    /// </summary>
    internal static bool UseMemoryPattern { get; set; }

    /// <summary>
    /// Puts a session on the shared thread pools when they exist, and sets it up for memory: no CPU arena and no memory
    /// pattern unless the knobs above say otherwise (the shared arena only where it exists).
    /// </summary>
    public static void Configure(SessionOptions options)
    {
        var global = GlobalPoolsAvailable;
        if (global)
        {
            options.DisablePerSessionThreads();
        }
        options.EnableMemoryPattern = UseMemoryPattern;
        options.EnableCpuMemArena = global && UseSharedCpuArena;
        if (global)
        {
            // The environment's allocators: the shared CUDA arena, and the CPU arena when it was registered.
            options.AddSessionConfigEntry("session.use_env_allocators", "1");
        }
    }

    /// <summary>Options for group sessions when the caller gives none.</summary>
    public static SessionOptions CreateDefaultOptions()
    {
        EnsureEnvironment();
        var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        Configure(options);
        return options;
    }
}
