using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

/// <summary>Cuts a sub-model out of a model between given tensor names.</summary>
public static class SubModelExtractor
{
    /// <summary>
    /// Extracts exactly the nodes needed to compute <paramref name="outputs"/> from <paramref name="inputs"/>, with
    /// the initializers they use (external ones by reference to the same data files, so the result shares
    /// <see cref="OnnxModel.BaseDirectory"/>) and the shape-computation chains they depend on.
    /// </summary>
    /// <param name="model">The whole model.</param>
    /// <param name="inputs">Tensors that become the sub-model's inputs.</param>
    /// <param name="outputs">Tensors that become its outputs.</param>
    /// <param name="typeOf">
    /// Optional source of types for tensors the model declares none for (intermediate tensors used as inputs
    /// or outputs); the model's own value_info is used first.
    /// </param>
    /// <exception cref="OnnxFormatException">
    /// The cut is not closed (a needed tensor is neither computed nor given), a name does not exist, or a boundary
    /// tensor has no known type.
    /// </exception>
    public static OnnxModel Extract(
        OnnxModel model,
        IReadOnlyCollection<string> inputs,
        IReadOnlyCollection<string> outputs,
        Func<string, ValueInfoProto?>? typeOf = null)
    {
        var graph = model.Graph;
        var inputSet = new HashSet<string>(inputs, StringComparer.Ordinal);
        foreach (var name in inputs.Concat(outputs))
        {
            if (graph.GetProducer(name) is null && !graph.IsInitializer(name) && !graph.IsGraphInput(name))
            {
                throw new OnnxFormatException($"cannot extract: tensor '{name}' does not exist in the graph.", model.FilePath);
            }
        }

        var nodes = new SortedSet<int>();
        var usedInitializers = new SortedSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(string Tensor, string NeededBy)>(outputs.Select(o => (o, "the requested outputs")));
        while (stack.Count > 0)
        {
            var (tensor, neededBy) = stack.Pop();
            if (string.IsNullOrEmpty(tensor) || !visited.Add(tensor) || inputSet.Contains(tensor))
            {
                continue;
            }
            if (graph.IsInitializer(tensor))
            {
                usedInitializers.Add(tensor);
                continue;
            }
            var producer = graph.GetProducer(tensor);
            if (producer is null)
            {
                throw new OnnxFormatException(
                    $"the cut is not closed: tensor '{tensor}' (a graph input) is needed by {neededBy} but is not among the " +
                    $"sub-model's inputs [{string.Join(", ", inputs)}].", model.FilePath);
            }
            nodes.Add(producer.Index);
            foreach (var input in producer.Inputs.Concat(graph.GetImplicitInputs(producer)))
            {
                stack.Push((input, $"node {producer.Describe()}"));
            }
        }

        var source = model.Proto;
        var sub = new GraphProto { Name = source.Graph.Name + "_sub" };
        foreach (var i in nodes)
        {
            sub.Node.Add(graph.Nodes[i].Proto.Clone());
        }
        foreach (var name in usedInitializers)
        {
            sub.Initializer.Add(graph.GetInitializer(name).Clone());
        }
        ValueInfoProto TypeOf(string name, string role)
        {
            var info = graph.GetValueInfo(name) ?? typeOf?.Invoke(name);
            if (info?.Type?.TensorType is null || info.Type.TensorType.ElemType == 0)
            {
                if (graph.GetInitializer(name) is { } init && graph.IsInitializer(name))
                {
                    return new ValueInfoProto
                    {
                        Name = name,
                        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = init.DataType } },
                    };
                }
                throw new OnnxFormatException(
                    $"cannot extract: the type of {role} '{name}' is unknown; expected a value_info entry or a type from the caller.",
                    model.FilePath);
            }
            var copy = info.Clone();
            copy.Name = name;
            return copy;
        }
        foreach (var name in inputs)
        {
            sub.Input.Add(TypeOf(name, "input"));
        }
        foreach (var name in outputs)
        {
            sub.Output.Add(TypeOf(name, "output"));
        }
        var boundary = new HashSet<string>(inputs.Concat(outputs), StringComparer.Ordinal);
        var inside = new HashSet<string>(sub.Node.SelectMany(n => n.Output), StringComparer.Ordinal);
        foreach (var info in source.Graph.ValueInfo)
        {
            if (inside.Contains(info.Name) && !boundary.Contains(info.Name))
            {
                sub.ValueInfo.Add(info.Clone());
            }
        }

        var proto = new ModelProto
        {
            IrVersion = source.IrVersion,
            ProducerName = source.ProducerName,
            ProducerVersion = source.ProducerVersion,
            Graph = sub,
        };
        proto.OpsetImport.AddRange(source.OpsetImport.Select(o => o.Clone()));
        proto.Functions.AddRange(source.Functions.Select(f => f.Clone()));
        return OnnxModel.FromProto(proto, model.BaseDirectory);
    }
}
