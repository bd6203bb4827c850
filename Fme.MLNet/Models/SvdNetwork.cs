using System.Text;

namespace Fme.MLNet.Models;

/// <summary>
/// One network of a model folder as its graph declares it: the .onnx file, and each input and output by role with
/// its actual name, element type and axes. Immutable; holds no session.
/// </summary>
public sealed class SvdNetwork
{
    internal SvdNetwork(SvdNetworkKind kind, string onnxPath, long opsetVersion, IReadOnlyList<NetworkTensor> inputs,
        IReadOnlyList<NetworkTensor> outputs)
    {
        Kind = kind;
        OnnxPath = onnxPath;
        OpsetVersion = opsetVersion;
        Inputs = inputs;
        Outputs = outputs;
        TensorNames = inputs.Concat(outputs).ToDictionary(t => t.Role, t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Which network this is.</summary>
    public SvdNetworkKind Kind { get; }

    /// <summary>Absolute path of the .onnx file (its external data lies beside it).</summary>
    public string OnnxPath { get; }

    /// <summary>Default-domain opset of the graph.</summary>
    public long OpsetVersion { get; }

    /// <summary>Inputs, in role order (optional roles the graph lacks are absent).</summary>
    public IReadOnlyList<NetworkTensor> Inputs { get; }

    /// <summary>Outputs, in role order.</summary>
    public IReadOnlyList<NetworkTensor> Outputs { get; }

    /// <summary>Canonical role -> the tensor's name in this graph, for inputs and outputs.</summary>
    public IReadOnlyDictionary<string, string> TensorNames { get; }

    /// <summary>Whether the graph has an input for the role (e.g. the decoder's optional <c>num_frames</c>).</summary>
    public bool HasInput(string role) => Inputs.Any(t => t.Role == role);

    /// <summary>The input for a role.</summary>
    /// <exception cref="KeyNotFoundException">The network has no input for that role.</exception>
    public NetworkTensor Input(string role) => Find(Inputs, role, "input");

    /// <summary>The output for a role.</summary>
    /// <exception cref="KeyNotFoundException">The network has no output for that role.</exception>
    public NetworkTensor Output(string role) => Find(Outputs, role, "output");

    /// <summary>A few lines naming the file and each tensor's role, name, element type and shape.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append($"{Kind.FolderName()}: {OnnxPath} (opset {OpsetVersion})\n");
        foreach (var (direction, tensors) in new[] { ("in ", Inputs), ("out", Outputs) })
        {
            foreach (var t in tensors)
            {
                text.Append($"  {direction} {t.Role,-22} {t}\n");
            }
        }
        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind.FolderName()} ({OnnxPath})";

    private NetworkTensor Find(IReadOnlyList<NetworkTensor> tensors, string role, string what) =>
        tensors.FirstOrDefault(t => t.Role == role)
        ?? throw new KeyNotFoundException(
            $"{OnnxPath}: no {what} for role '{role}'; it has {string.Join(", ", tensors.Select(t => t.Role))}.");
}
