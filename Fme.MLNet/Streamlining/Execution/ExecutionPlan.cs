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
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var group in planning.Groups)
            {
                _runners.Add(new GroupRunner(model, planning.Context!, group, options, container));
                foreach (var input in group.Inputs)
                {
                    lastUse[input] = group.Index;
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        LastUse = lastUse;
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
