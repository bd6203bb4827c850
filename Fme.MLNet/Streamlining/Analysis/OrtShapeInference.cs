using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// Concrete shapes from ONNX Runtime's own shape inference, for operators the registry has no shape rule for (custom
/// domains, quantized and contrib operators, subgraph operators). It loads a copy of the graph made for the concrete
/// input shapes: the nodes the wanted tensors depend on, every value already known as a constant, every other weight
/// as a graph input of the same type and shape (so no weight data is read), the shapes already inferred as value_info,
/// and the wanted tensors as graph outputs. The shapes come back from the session's output metadata; nothing runs.
/// </summary>
internal static class OrtShapeInference
{
    /// <summary>The wanted tensors whose type and every dimension ONNX Runtime infers; the others are left out.</summary>
    public static Dictionary<string, TensorInfo> Infer(OnnxModel model, IReadOnlyDictionary<string, TensorInfo> infos,
        IReadOnlyDictionary<string, KnownValue> values, IReadOnlyCollection<string> wanted)
    {
        var graph = model.Graph;
        var probe = new GraphProto { Name = $"{graph.Proto.Name}_shapes" };
        var nodes = new HashSet<OnnxNode>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(wanted);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (name.Length == 0 || !declared.Add(name))
            {
                continue;
            }
            if (values.TryGetValue(name, out var value) && value.Type != OnnxElementType.String)
            {
                probe.Initializer.Add(value.ToTensor(name));
            }
            else if (graph.IsInitializer(name) || graph.IsGraphInput(name))
            {
                var info = infos.TryGetValue(name, out var i) ? i : throw new PlanningException($"No shape is known for tensor '{name}'.");
                probe.Input.Add(ValueInfo(name, info));
            }
            else if (graph.GetProducer(name) is { } producer && nodes.Add(producer))
            {
                foreach (var input in producer.Inputs.Concat(graph.GetImplicitInputs(producer)))
                {
                    stack.Push(input);
                }
            }
        }
        probe.Node.AddRange(graph.Nodes.Where(nodes.Contains).Select(n => n.Proto.Clone()));
        foreach (var output in nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0 && !wanted.Contains(o) && infos.ContainsKey(o)))
        {
            probe.ValueInfo.Add(ValueInfo(output, infos[output]));
        }
        probe.Output.AddRange(wanted.Select(w => new ValueInfoProto { Name = w }));
        var proto = new ModelProto { IrVersion = Math.Max(model.Proto.IrVersion, 7), ProducerName = "Fme.MLNet", Graph = probe };
        proto.OpsetImport.AddRange(model.Proto.OpsetImport.Select(o => o.Clone()));
        proto.Functions.AddRange(model.Proto.Functions.Select(f => f.Clone()));

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        InferenceSession session;
        try
        {
            session = new InferenceSession(proto.ToByteArray(), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new PlanningException($"ONNX Runtime could not infer the shapes of [{string.Join(", ", wanted.Take(4))}]: {e.Message}", e);
        }
        using (session)
        {
            var result = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            foreach (var (name, meta) in session.OutputMetadata)
            {
                if (meta.IsTensor && meta.Dimensions.All(d => d >= 0) && meta.SymbolicDimensions.All(string.IsNullOrEmpty))
                {
                    result[name] = new TensorInfo((OnnxElementType)(int)meta.ElementDataType, meta.Dimensions.Select(d => (long)d).ToArray());
                }
            }
            return result;
        }
    }

    private static ValueInfoProto ValueInfo(string name, TensorInfo info)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(info.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)info.Type, Shape = shape } },
        };
    }
}
