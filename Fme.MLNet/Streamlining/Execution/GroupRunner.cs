using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;
using Fme.MLNet.Streamlining.Planning;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// Runs one group: its own ONNX Runtime session over the group's sub-model, called once per piece with views of the
/// full boundary tensors (or gathered copies where the cut axis is not leading), writing each piece of the outputs in
/// place into the preallocated full tensors. Two-pass normalisations get their statistics first: from their whole
/// input when it exists, else from a streaming pass that computes the input piece by piece and only keeps its moments.
/// </summary>
internal sealed class GroupRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly InferenceSession?[] _statistics;
    private readonly PlannedGroup _group;
    private readonly GraphShapes _shapes;
    private readonly (float[] Gamma, float[] Beta)[] _normParameters;

    public GroupRunner(OnnxModel model, PlanningContext ctx, PlannedGroup group, SessionOptions options, PrePackedWeightsContainer container)
    {
        _group = group;
        _shapes = ctx.Shapes;
        _statistics = new InferenceSession?[group.TwoPass.Count];
        try
        {
            _session = new InferenceSession(SubModelBuilder.Build(model, ctx, group).ToBytes(), options, container);
            for (var k = 0; k < group.TwoPass.Count; k++)
            {
                if (group.Streamed.Contains(group.TwoPass[k]))
                {
                    _statistics[k] = new InferenceSession(SubModelBuilder.BuildStatisticsPass(model, ctx, group, k).ToBytes(), options, container);
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _normParameters = group.TwoPass.Select(u => (ReadFloats(model, ctx.Shapes, u.Norm!.Scale), ReadFloats(model, ctx.Shapes, u.Norm.Bias))).ToArray();
    }

    public PlannedGroup Group => _group;

    /// <summary>A normalisation's scale or bias: a folded constant, else the initializer.</summary>
    private static float[] ReadFloats(OnnxModel model, GraphShapes shapes, string initializer)
    {
        if (shapes.Value(initializer) is { Floats: { } known })
        {
            return known.Select(v => (float)v).ToArray();
        }
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
                var moments = _statistics[k] is { } pass
                    ? StreamMoments(pass, norm, tensors, whole, runOptions, cancellation)
                    : NormStatisticsPass.Moments(tensors[norm.Input], norm.Groups);
                var x = _shapes.Info(norm.Input).Dims;
                var (mean, scale, bias) = NormStatisticsPass.Affine(moments, x[1], norm, _normParameters[k].Gamma, _normParameters[k].Beta);
                var dims = x.Select((d, i) => i < 2 ? d : 1L).ToArray();
                var names = SubModelBuilder.StatisticsInputs(k);
                whole[names.Mean] = Track(OrtValue.CreateTensorValueFromMemory(mean, dims), disposables);
                whole[names.Scale] = Track(OrtValue.CreateTensorValueFromMemory(scale, dims), disposables);
                whole[names.Bias] = Track(OrtValue.CreateTensorValueFromMemory(bias, dims), disposables);
            }
            foreach (var (start, count) in _group.PieceRanges())
            {
                cancellation.ThrowIfCancellationRequested();
                RunPiece(_session, tensors, runOptions, whole, start, count, _group.Outputs, null);
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

    /// <summary>The streaming pass: the normalisation's input piece by piece, folded into per (batch, group) moments.</summary>
    private NormMoments StreamMoments(InferenceSession pass, NormStatistics norm, IReadOnlyDictionary<string, NativeTensor> tensors,
        Dictionary<string, OrtValue> whole, RunOptions runOptions, CancellationToken cancellation)
    {
        NormMoments? total = null;
        foreach (var (start, count) in _group.PieceRanges())
        {
            cancellation.ThrowIfCancellationRequested();
            RunPiece(pass, tensors, runOptions, whole, start, count, [norm.Input], piece =>
            {
                var moments = NormStatisticsPass.Moments(piece, norm.Groups);
                total = total is null ? moments : total.Merge(moments);
            });
        }
        return total!;
    }

    /// <summary>
    /// One call of <paramref name="session"/> on one piece. Outputs go into their full tensors, or, when
    /// <paramref name="consume"/> is given, into a piece buffer handed to it (the streaming pass).
    /// </summary>
    private void RunPiece(InferenceSession session, IReadOnlyDictionary<string, NativeTensor> tensors, RunOptions runOptions,
        Dictionary<string, OrtValue> whole, long start, long count, IReadOnlyList<string> outputNames, Action<NativeTensor>? consume)
    {
        var pieceValues = new List<IDisposable>();
        var scatters = new List<(NativeTensor Full, int Axis, long Start, long Length, NativeTensor Piece)>();
        var consumed = new List<NativeTensor>();
        try
        {
            OrtValue Piece(string name, bool isOutput)
            {
                var axis = _group.CutAxes[name];
                if (consume is not null && isOutput)
                {
                    var info = _shapes.Info(name);
                    var buffer = Track(NativeTensor.Allocate(info with { Dims = info.WithAxis(axis, info.Dims[axis] / _group.CutUnits * count) }), pieceValues);
                    consumed.Add(buffer);
                    return Track(buffer.CreateValue(), pieceValues);
                }
                var full = tensors[name];
                var perUnit = full.Info.Dims[axis] / _group.CutUnits;
                var (offset, length) = (start * perUnit, count * perUnit);
                var pieceDims = full.Info.WithAxis(axis, length);
                var reused = isOutput && _group.Reuses.ContainsKey(name);
                if (MemoryModel.IsContiguous(full.Info, axis) && !reused)
                {
                    var rowBytes = full.Info.Bytes / full.Info.Dims[axis];
                    return Track(full.CreateValue(pieceDims, offset * rowBytes), pieceValues);
                }
                var piece = Track(NativeTensor.Allocate(new TensorInfo(full.Info.Type, pieceDims)), pieceValues);
                if (isOutput)
                {
                    scatters.Add((full, axis, offset, length, piece));
                }
                else
                {
                    PieceCopy.Gather(full, axis, offset, length, piece);
                }
                return Track(piece.CreateValue(), pieceValues);
            }
            var inputNames = session.InputNames;
            var inputs = inputNames.Select(n => whole.TryGetValue(n, out var v) ? v : Piece(n, isOutput: false)).ToArray();
            var outputs = outputNames.Select(n => _group.IsCut ? Piece(n, isOutput: true) : Track(tensors[n].CreateValue(), pieceValues)).ToArray();
            session.Run(runOptions, inputNames, inputs, outputNames.ToArray(), outputs);
            foreach (var (full, axis, offset, length, piece) in scatters)
            {
                PieceCopy.Scatter(full, axis, offset, length, piece);
            }
            foreach (var buffer in consumed)
            {
                consume!(buffer);
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

    public void Dispose()
    {
        _session?.Dispose();
        foreach (var s in _statistics)
        {
            s?.Dispose();
        }
    }
}
