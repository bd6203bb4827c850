using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;

namespace Fme.MLNet.Rehash;

/// <summary>
/// The pipeline's UNet: the plain network, or for generations with Step Rehash its full and shallow models (made on first
/// use). Only one of the two is held at a time, so a pipeline that switches does not keep the UNet's weights twice;
/// switching costs the sessions' creation. Holds native sessions: disposable.
/// </summary>
internal sealed class UnetRunner(SvdNetwork network, SessionOptionsFactory factory, StreamlineOptions streamline) : IDisposable
{
    private NetworkSession? _plain;
    private RehashSessions? _rehash;
    private TimeSpan _releasedElapsed;

    public SvdNetwork Network => network;

    /// <summary>The whole UNet's plan for the last shapes it ran (the full model's with Step Rehash).</summary>
    public StreamlinedPlan? Plan => _plain?.Plan ?? _rehash?.Full.Plan;

    /// <summary>The shallow model's plan, when Step Rehash ran.</summary>
    public StreamlinedPlan? ShallowPlan => _rehash?.Shallow.Plan;

    /// <summary>The models of the last Step Rehash generation, or null.</summary>
    public RehashModels? RehashModels => _rehash?.Models;

    /// <summary>Time spent in ONNX Runtime so far, by every session this runner has held.</summary>
    public TimeSpan RuntimeElapsed => _releasedElapsed + (_plain?.RuntimeElapsed ?? TimeSpan.Zero) + (_rehash?.RuntimeElapsed ?? TimeSpan.Zero);

    /// <summary>Starts one generation's loop: plain when <paramref name="rehash"/> is null.</summary>
    /// <exception cref="ArgumentException">The rehash schedule is for another step count.</exception>
    public UnetLoop Begin(StepRehashOptions? rehash, int steps) =>
        rehash is null ? UnetLoop.Plain(this) : UnetLoop.Scheduled(this, rehash.ScheduleFor(steps), rehash.Depth);

    /// <summary>Starts a calibration loop: every step full, recording how much the deep tensor moves.</summary>
    public UnetLoop BeginCalibration(int depth) => UnetLoop.Calibration(this, depth);

    /// <summary>The plain session (releasing the Step Rehash ones).</summary>
    internal NetworkSession Plain()
    {
        ReleaseRehash();
        return _plain ??= new NetworkSession(network, factory, streamline);
    }

    /// <summary>The full and shallow sessions of a depth (releasing the plain session, or another depth's).</summary>
    /// <exception cref="RehashException">The UNet cannot be split.</exception>
    internal RehashSessions Rehash(int depth, IReadOnlyList<NetworkInput> inputs)
    {
        if (_rehash?.Models.Depth != depth)
        {
            // Made before the held sessions go, so a graph that cannot be split leaves them in place (nothing native is
            // loaded until the first call).
            var made = RehashSessions.Create(network, factory, streamline, depth, NetworkSession.InputShapes(network, inputs));
            ReleaseRehash();
            ReleasePlain();
            _rehash = made;
        }
        return _rehash;
    }

    private void ReleasePlain()
    {
        _releasedElapsed += _plain?.RuntimeElapsed ?? TimeSpan.Zero;
        _plain?.Dispose();
        _plain = null;
    }

    private void ReleaseRehash()
    {
        _releasedElapsed += _rehash?.RuntimeElapsed ?? TimeSpan.Zero;
        _rehash?.Dispose();
        _rehash = null;
    }

    public void Dispose()
    {
        _plain?.Dispose();
        _rehash?.Dispose();
    }
}
