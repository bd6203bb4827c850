namespace Fme.MLNet.Streamlining;

public sealed partial class StreamlinedSession
{
    private int _running;

    /// <summary>Holds the session for one run. A second, concurrent run would share the plan cache and the group
    /// sessions' buffers and give wrong results silently, so it is refused instead.</summary>
    private readonly ref struct ExclusiveRun
    {
        private readonly StreamlinedSession _session;

        public ExclusiveRun(StreamlinedSession session)
        {
            if (Interlocked.Exchange(ref session._running, 1) != 0)
            {
                throw new InvalidOperationException(
                    $"StreamlinedSession for '{session._model.FilePath}' is already running (on another thread, or re-entered). It is not safe " +
                    "for concurrent runs: use one session per thread, or serialise the calls.");
            }
            _session = session;
        }

        public void Dispose() => Volatile.Write(ref _session._running, 0);
    }
}
