using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

/// <summary>One node of an <see cref="OnnxGraph"/>, with typed access to its attributes.</summary>
public sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> _attributes;

    internal OnnxNode(NodeProto proto, int index, IReadOnlyList<OnnxGraph> subgraphs)
    {
        Proto = proto;
        Index = index;
        Subgraphs = subgraphs;
        _attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var a in proto.Attribute)
        {
            _attributes[a.Name] = a;
        }
    }

    /// <summary>The node message (do not modify).</summary>
    public NodeProto Proto { get; }

    /// <summary>Position of the node in the graph's topological order.</summary>
    public int Index { get; }

    /// <summary>Node name (may be empty).</summary>
    public string Name => Proto.Name;

    /// <summary>Operator type, as ONNX names it (Conv, MatMul, ...).</summary>
    public string OpType => Proto.OpType;

    /// <summary>Operator domain; empty for the default ONNX domain.</summary>
    public string Domain => Proto.Domain == "ai.onnx" ? "" : Proto.Domain;

    /// <summary>Input tensor names; an empty string marks an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs => Proto.Input;

    /// <summary>Output tensor names; an empty string marks an omitted optional output.</summary>
    public IReadOnlyList<string> Outputs => Proto.Output;

    /// <summary>Views of the graphs held in attributes (If / Loop / Scan bodies).</summary>
    public IReadOnlyList<OnnxGraph> Subgraphs { get; }

    /// <summary>A short description for messages: name and operator.</summary>
    public string Describe() => string.IsNullOrEmpty(Name) ? $"{OpType} node #{Index}" : $"'{Name}' ({OpType})";

    /// <summary>Whether the attribute is present.</summary>
    public bool HasAttribute(string name) => _attributes.ContainsKey(name);

    /// <summary>The raw attribute, or null.</summary>
    public AttributeProto? GetAttribute(string name) => _attributes.GetValueOrDefault(name);

    /// <summary>An integer attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public long GetInt(string name, long defaultValue) => _attributes.TryGetValue(name, out var a) ? a.I : defaultValue;

    /// <summary>A float attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public float GetFloat(string name, float defaultValue) => _attributes.TryGetValue(name, out var a) ? a.F : defaultValue;

    /// <summary>A string attribute, or <paramref name="defaultValue"/> when absent.</summary>
    public string GetString(string name, string defaultValue) =>
        _attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : defaultValue;

    /// <summary>An integer-list attribute, or null when absent.</summary>
    public long[]? GetInts(string name) => _attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    /// <summary>A float-list attribute, or null when absent.</summary>
    public float[]? GetFloats(string name) => _attributes.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    /// <summary>A tensor attribute, or null when absent.</summary>
    public TensorProto? GetTensor(string name) => _attributes.TryGetValue(name, out var a) ? a.T : null;

    /// <inheritdoc />
    public override string ToString() => Describe();
}
