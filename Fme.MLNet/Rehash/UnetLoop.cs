using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Rehash;

/// <summary>
/// One generation's UNet calls: per step the plain UNet, the full model (keeping its deep tensor) or the shallow model
/// (reusing it), and a log of which ran. Holds the one cached deep tensor between steps: dispose it when the loop ends.
/// </summary>
internal sealed class UnetLoop : IDisposable
{
    private readonly UnetRunner _runner;
    private readonly Mode _mode;
    private readonly RehashSchedule? _schedule;
    private readonly int _depth;
    private readonly List<int> _full = new();
    private readonly List<int> _shallow = new();
    private readonly List<double> _changes = new();

    /// <summary>The outputs of the last full call; they own the deep tensor (kept where the executor made it, no copy).</summary>
    private StreamlinedOutputs? _cache;

    private UnetLoop(UnetRunner runner, Mode mode, RehashSchedule? schedule, int depth)
    {
        _runner = runner;
        _mode = mode;
        _schedule = schedule;
        _depth = depth;
    }

    private enum Mode
    {
        /// <summary>The plain UNet on every step.</summary>
        Plain,
        /// <summary>The full or the shallow model, as the schedule says.</summary>
        Scheduled,
        /// <summary>The full model on every step, measuring how much the deep tensor moves.</summary>
        Calibration,
    }

    /// <summary>Every step through the plain UNet.</summary>
    public static UnetLoop Plain(UnetRunner runner) => new(runner, Mode.Plain, null, 0);

    /// <summary>Full steps as <paramref name="schedule"/> says; the others compute the <paramref name="depth"/> outermost levels.</summary>
    public static UnetLoop Scheduled(UnetRunner runner, RehashSchedule schedule, int depth) => new(runner, Mode.Scheduled, schedule, depth);

    /// <summary>Every step full, recording the deep tensor's change from step to step.</summary>
    public static UnetLoop Calibration(UnetRunner runner, int depth) => new(runner, Mode.Calibration, null, depth);

    /// <summary>Which steps ran the whole UNet and which only the shallow part, so far.</summary>
    public UnetCalls Calls => new(_full.ToArray(), _shallow.ToArray());

    /// <summary>For a calibration loop: the deep tensor's relative L2 change on each step after the first.</summary>
    public IReadOnlyList<double> DeepChanges => _changes;

    /// <summary>The UNet's prediction for one step.</summary>
    public float[] Run(int step, IReadOnlyList<NetworkInput> inputs, CancellationToken cancellation)
    {
        if (_mode == Mode.Plain)
        {
            var prediction = _runner.Plain().Run(inputs, SvdTensorRoles.OutSample, cancellation);
            _full.Add(step);
            return prediction;
        }
        var sessions = _runner.Rehash(_depth, inputs);
        var deep = sessions.Models.DeepTensor;
        var output = _runner.Network.Output(SvdTensorRoles.OutSample).Name;
        if (_mode == Mode.Scheduled && !_schedule!.IsFull(step))
        {
            var cached = _cache ?? throw new InvalidOperationException($"Step {step} reuses the deep tensor, but no full step ran before it.");
            using var shallow = sessions.Shallow.RunStreamlined(inputs, new Dictionary<string, OrtValue> { [deep] = cached[deep] }, cancellation);
            _shallow.Add(step);
            return NetworkSession.ToFloats(shallow[output]);
        }
        // A generation frees the old deep tensor before making the new one, so one is held at a time; calibration keeps
        // it through the call to measure the change.
        var previous = _cache;
        _cache = null;
        if (_mode == Mode.Scheduled)
        {
            previous?.Dispose();
            previous = null;
        }
        try
        {
            _cache = sessions.Full.RunStreamlined(inputs, null, cancellation);
            if (previous is not null)
            {
                _changes.Add(DeepChange.RelativeL2(_cache[deep], previous[deep]));
            }
        }
        finally
        {
            previous?.Dispose();
        }
        _full.Add(step);
        return NetworkSession.ToFloats(_cache[output]);
    }

    /// <summary>Frees the cached deep tensor; the log stays readable. Called when the loop ends, before decoding.</summary>
    public void ReleaseCache()
    {
        _cache?.Dispose();
        _cache = null;
    }

    /// <summary>Frees the cached deep tensor.</summary>
    public void Dispose() => ReleaseCache();
}
