using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;
using Fme.MLNet.Streamlining.Planning;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// Weights read by more than one group's session are loaded once into native memory and handed to every session
/// through <see cref="SessionOptions.AddInitializer"/> (sessions ignore the ones their graph lacks); the others are
/// loaded by their single session. Owns the memory: disposable, after the sessions that use it.
/// </summary>
internal sealed class SharedWeights : IDisposable
{
    private readonly Dictionary<string, (NativeTensor Tensor, OrtValue Value)> _weights = new(StringComparer.Ordinal);

    public int Count => _weights.Count;

    public long Bytes => _weights.Values.Sum(w => w.Tensor.Bytes);

    /// <summary>Adds to <paramref name="options"/> every weight that two or more groups of this plan read.</summary>
    public unsafe void AddFor(OnnxModel model, IReadOnlyList<PlannedGroup> groups, SessionOptions options)
    {
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var names = group.Units.SelectMany(u => u.Members).SelectMany(n => n.Inputs)
                .Where(model.Graph.IsInitializer).Distinct();
            foreach (var name in names)
            {
                users[name] = users.GetValueOrDefault(name) + 1;
            }
        }
        foreach (var (name, count) in users)
        {
            if (count < 2 || _weights.ContainsKey(name))
            {
                continue;
            }
            var proto = model.Graph.GetInitializer(name);
            var info = new TensorInfo(proto.GetElementType(model.FilePath), proto.GetDims());
            if (info.Type == OnnxElementType.String)
            {
                continue;
            }
            var tensor = NativeTensor.Allocate(info);
            model.ReadTensorBytes(proto).Span.CopyTo(new Span<byte>((void*)tensor.Data, checked((int)info.Bytes)));
            var value = tensor.CreateValue();
            options.AddInitializer(name, value);
            _weights[name] = (tensor, value);
        }
    }

    public void Dispose()
    {
        foreach (var (tensor, value) in _weights.Values)
        {
            value.Dispose();
            tensor.Dispose();
        }
        _weights.Clear();
    }
}
