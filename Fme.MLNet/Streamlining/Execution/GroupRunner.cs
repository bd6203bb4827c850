using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;
using Fme.MLNet.Streamlining.Planning;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// Runs one group: its own ONNX Runtime session over the group's sub-model, called once per piece with views of the
/// full boundary tensors (or gathered copies where the cut axis is not leading), writing each piece of the outputs in
/// place into the preallocated full tensors.
/// </summary>
internal sealed class GroupRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly PlannedGroup _group;
    private readonly GraphShapes _shapes;
    private readonly (float[] Gamma, float[] Beta)[] _normParameters;

    public GroupRunner(OnnxModel model, PlanningContext ctx, PlannedGroup group, SessionOptions options, PrePackedWeightsContainer container)
    {
        _group = group;
        _shapes = ctx.Shapes;
        var sub = SubModelBuilder.Build(model, ctx, group);
        _session = new InferenceSession(sub.ToBytes(), options, container);
        _normParameters = group.TwoPass.Select(u => (ReadFloats(model, u.Norm!.Scale), ReadFloats(model, u.Norm.Bias))).ToArray();
    }

    public PlannedGroup Group => _group;

    private static float[] ReadFloats(OnnxModel model, string initializer)
    {
        var t = model.Graph.GetInitializer(initializer);
        return TensorValues.ToFloat(model.ReadTensorBytes(t).Span, t.GetElementType());
    }

    /// <summary>Runs every piece. Outputs must already be allocated in <paramref name="tensors"/>.</summary>
    public void Run(IReadOnlyDictionary<string, NativeTensor> tensors, RunOptions runOptions, CancellationToken cancellation)
    {
        var disposables = new List<IDisposable>();
        try
        {
            // Whole inputs and the statistics of two-pass normalisations are the same for every piece.
            var whole = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
            foreach (var name in _group.Inputs.Where(n => !_group.IsCut || !_group.CutAxes.ContainsKey(n)))
            {
                whole[name] = Track(tensors[name].CreateValue(), disposables);
            }
            for (var k = 0; k < _group.TwoPass.Count; k++)
            {
                var norm = _group.TwoPass[k].Norm!;
                var x = tensors[norm.Input];
                var (mean, scale, bias) = NormStatisticsPass.Compute(x, norm.Groups, norm.Epsilon, _normParameters[k].Gamma, _normParameters[k].Beta);
                var dims = x.Info.Dims.Select((d, i) => i < 2 ? d : 1L).ToArray();
                var names = SubModelBuilder.StatisticsInputs(k);
                whole[names.Mean] = Track(OrtValue.CreateTensorValueFromMemory(mean, dims), disposables);
                whole[names.Scale] = Track(OrtValue.CreateTensorValueFromMemory(scale, dims), disposables);
                whole[names.Bias] = Track(OrtValue.CreateTensorValueFromMemory(bias, dims), disposables);
            }
            var inputNames = _group.Inputs.Concat(Enumerable.Range(0, _group.TwoPass.Count).SelectMany(k =>
            {
                var n = SubModelBuilder.StatisticsInputs(k);
                return new[] { n.Mean, n.Scale, n.Bias };
            })).ToArray();
            foreach (var (start, count) in _group.PieceRanges())
            {
                cancellation.ThrowIfCancellationRequested();
                RunPiece(tensors, runOptions, whole, inputNames, start, count);
            }
        }
        finally
        {
            foreach (var d in disposables)
            {
                d.Dispose();
            }
        }
    }

    private void RunPiece(IReadOnlyDictionary<string, NativeTensor> tensors, RunOptions runOptions, Dictionary<string, OrtValue> whole,
        string[] inputNames, long start, long count)
    {
        var pieceValues = new List<IDisposable>();
        var scatters = new List<(NativeTensor Full, int Axis, long Start, long Length, NativeTensor Piece)>();
        try
        {
            OrtValue Piece(string name, bool isOutput)
            {
                var full = tensors[name];
                var axis = _group.CutAxes[name];
                var perUnit = full.Info.Dims[axis] / _group.CutUnits;
                var (offset, length) = (start * perUnit, count * perUnit);
                var dims = full.Info.WithAxis(axis, length);
                if (MemoryModel.IsContiguous(full.Info, axis))
                {
                    var rowBytes = full.Info.Bytes / full.Info.Dims[axis];
                    return Track(full.CreateValue(dims, offset * rowBytes), pieceValues);
                }
                var buffer = Track(NativeTensor.Allocate(new TensorInfo(full.Info.Type, dims)), pieceValues);
                if (isOutput)
                {
                    scatters.Add((full, axis, offset, length, buffer));
                }
                else
                {
                    PieceCopy.Gather(full, axis, offset, length, buffer.Data);
                }
                return Track(buffer.CreateValue(), pieceValues);
            }
            var inputs = inputNames.Select(n => whole.TryGetValue(n, out var v) ? v : Piece(n, isOutput: false)).ToArray();
            var outputs = _group.Outputs.Select(n => _group.IsCut ? Piece(n, isOutput: true) : Track(tensors[n].CreateValue(), pieceValues)).ToArray();
            _session.Run(runOptions, inputNames, inputs, _group.Outputs, outputs);
            foreach (var (full, axis, offset, length, piece) in scatters)
            {
                PieceCopy.Scatter(full, axis, offset, length, piece.Data);
            }
        }
        finally
        {
            // Values first: they point into the buffers.
            foreach (var d in pieceValues.OfType<OrtValue>())
            {
                d.Dispose();
            }
            foreach (var d in pieceValues.Where(d => d is not OrtValue))
            {
                d.Dispose();
            }
        }
    }

    private static T Track<T>(T value, List<IDisposable> list) where T : IDisposable
    {
        list.Add(value);
        return value;
    }

    public void Dispose() => _session.Dispose();
}
