using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Planning;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// A plan with its sessions: one <see cref="GroupRunner"/> per group, and for every full tensor the last group that
/// reads it, so it can be freed right after. Holds native sessions: disposable.
/// </summary>
internal sealed class ExecutionPlan : IDisposable
{
    private readonly List<GroupRunner> _runners = new();

    public ExecutionPlan(OnnxModel model, Planner.Result planning, SessionOptions options, PrePackedWeightsContainer container)
    {
        Planning = planning;
        // The group sessions read external data through ONNX Runtime, which does not check where links lead.
        model.CheckExternalData();
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in planning.Groups)
        {
            foreach (var input in group.Inputs)
            {
                lastUse[input] = group.Index;
            }
        }
        LastUse = lastUse;
        // Session creation dominates the first call of a large graph; sessions are independent, so make them in parallel.
        var runners = new GroupRunner?[planning.Groups.Count];
        try
        {
            Parallel.For(0, runners.Length, i => runners[i] = new GroupRunner(model, planning.Context!, planning.Groups[i], options, container));
            _runners.AddRange(runners.Select(r => r!));
        }
        catch (Exception e)
        {
            foreach (var r in runners)
            {
                r?.Dispose();
            }
            if (e is AggregateException { InnerExceptions.Count: > 0 } all)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(all.InnerExceptions[0]).Throw();
            }
            throw;
        }
    }

    public Planner.Result Planning { get; }

    public IReadOnlyList<GroupRunner> Runners => _runners;

    /// <summary>Index of the last group reading each full tensor.</summary>
    public IReadOnlyDictionary<string, int> LastUse { get; }

    public void Dispose()
    {
        foreach (var r in _runners)
        {
            r.Dispose();
        }
        _runners.Clear();
    }
}
