using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// One executor holds a session per group: with per-session thread pools that would be dozens of idle pools. When this
/// library is the first to create the ONNX Runtime environment, it creates it with global thread pools that every
/// session it makes shares; otherwise sessions keep their own pools.
/// </summary>
internal static class OrtThreading
{
    private static readonly object Gate = new();
    private static bool? _global;

    public static bool GlobalPoolsAvailable
    {
        get
        {
            lock (Gate)
            {
                if (_global is { } known)
                {
                    return known;
                }
                if (OrtEnv.IsCreated)
                {
                    _global = false;
                    return false;
                }
                try
                {
                    var options = new EnvironmentCreationOptions
                    {
                        logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                        threadOptions = new OrtThreadingOptions { GlobalInterOpNumThreads = 1 },
                    };
                    OrtEnv.CreateInstanceWithOptions(ref options);
                    _global = true;
                }
                catch (OnnxRuntimeException)
                {
                    _global = false;
                }
                return _global.Value;
            }
        }
    }

    /// <summary>Options for group sessions when the caller gives none: no CPU arena (memory returns after each run).</summary>
    public static SessionOptions CreateDefaultOptions()
    {
        var options = new SessionOptions { EnableCpuMemArena = false, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (GlobalPoolsAvailable)
        {
            options.DisablePerSessionThreads();
        }
        return options;
    }
}
