using Fme.MLNet.Onnx.Proto;
using Google.Protobuf;

namespace Fme.MLNet.Onnx;

/// <summary>
/// An ONNX model in memory: the protobuf message plus the folder its external data is resolved against.
/// Weights in external data files stay on disk until <see cref="ReadTensorBytes(TensorProto)"/> asks for them.
/// </summary>
public sealed class OnnxModel
{
    private OnnxGraph? _graph;

    private OnnxModel(ModelProto proto, string? filePath, string? baseDirectory)
    {
        Proto = proto;
        FilePath = filePath;
        BaseDirectory = baseDirectory;
    }

    /// <summary>The model message. Treat it as read-only once <see cref="Graph"/> has been read.</summary>
    public ModelProto Proto { get; }

    /// <summary>The file the model was loaded from, if any.</summary>
    public string? FilePath { get; }

    /// <summary>The folder external data locations are relative to, if any.</summary>
    public string? BaseDirectory { get; }

    /// <summary>The validated, immutable view of the main graph (built once).</summary>
    public OnnxGraph Graph => _graph ??= OnnxGraph.Create(Proto.Graph, FilePath);

    /// <summary>The newest default-domain (ai.onnx) opset the bundled ONNX Runtime runs; newer models are refused at load.</summary>
    public const long MaxOpsetVersion = 26;

    /// <summary>The opset version of the default ONNX domain.</summary>
    public long OpsetVersion =>
        Proto.OpsetImport.FirstOrDefault(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx")?.Version ?? 0;

    /// <summary>
    /// Loads and validates a model file: protobuf structure, external data references (kept on disk),
    /// element types, unique tensor names and an acyclic graph.
    /// </summary>
    /// <exception cref="OnnxFormatException">The file is missing, not an ONNX model, truncated or inconsistent.</exception>
    public static OnnxModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new OnnxFormatException("model file not found.", full);
        }
        ModelProto proto;
        try
        {
            using var stream = File.OpenRead(full);
            if (stream.Length == 0)
            {
                throw new OnnxFormatException("file is empty; expected an ONNX model (a ModelProto protobuf message).", full);
            }
            proto = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase))
        {
            throw new OnnxFormatException(
                $"file is truncated: the protobuf message ends early ({e.Message}); expected a complete ONNX model.", full, e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException(
                $"not an ONNX model: protobuf parsing failed ({e.Message}); expected a ModelProto message.", full, e);
        }
        if (proto.Graph is null || proto.IrVersion <= 0)
        {
            throw new OnnxFormatException(
                $"not an ONNX model: expected a ModelProto with ir_version and a graph, found ir_version {proto.IrVersion} and " +
                (proto.Graph is null ? "no graph." : "a graph."), full);
        }
        var model = new OnnxModel(proto, full, Path.GetDirectoryName(full));
        model.ValidateOpset();
        model.ValidateTensors();
        _ = model.Graph;
        return model;
    }

    /// <summary>
    /// Wraps a model message built in memory. External data locations, if any, are resolved against
    /// <paramref name="baseDirectory"/>.
    /// </summary>
    public static OnnxModel FromProto(ModelProto proto, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        if (proto.Graph is null)
        {
            throw new OnnxFormatException("the model has no graph.");
        }
        return new OnnxModel(proto, null, baseDirectory is null ? null : Path.GetFullPath(baseDirectory));
    }

    /// <summary>All initializers of the main graph and of every subgraph, with their graphs' names.</summary>
    public IEnumerable<TensorProto> AllInitializers() => EnumerateInitializers(Proto.Graph);

    /// <summary>The bytes of a tensor, read from its external data file when it has one.</summary>
    public ReadOnlyMemory<byte> ReadTensorBytes(TensorProto tensor)
    {
        if (!tensor.IsExternal())
        {
            return tensor.GetInlineBytes(FilePath);
        }
        var (path, offset, length) = ResolveExternal(tensor);
        var bytes = new byte[checked((int)length)];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The bytes of an initializer of the main graph, by name.</summary>
    public ReadOnlyMemory<byte> ReadTensorBytes(string initializerName) =>
        ReadTensorBytes(Graph.GetInitializer(initializerName));

    /// <summary>
    /// Checks an external tensor's reference and returns the data file's absolute path, the offset and
    /// the length of the tensor's bytes in it.
    /// </summary>
    /// <exception cref="OnnxFormatException">The location leaves the model's folder, the file is missing, or the range is past its end.</exception>
    public (string Path, long Offset, long Length) ResolveExternal(TensorProto tensor)
    {
        if (BaseDirectory is null)
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}' is external but the model has no folder to resolve it against; load it from a file.",
                FilePath);
        }
        var reference = ExternalDataReference.Parse(tensor, FilePath);
        var path = reference.ResolvePath(BaseDirectory, tensor.Name, FilePath);
        var fileLength = new FileInfo(path).Length;
        var expected = tensor.GetElementType(FilePath) == OnnxElementType.String ? (long?)null : tensor.GetByteLength(FilePath);
        var length = reference.Length ?? expected ?? fileLength - reference.Offset;
        if (reference.Offset < 0 || reference.Offset > fileLength || length < 0 || reference.Offset + length > fileLength)
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}': external data range offset {reference.Offset}, length {length} points past the end of " +
                $"'{reference.Location}' ({fileLength} bytes).", FilePath);
        }
        if (expected is { } e && e != length)
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}': external data length is {length} bytes; expected {e} for dims [{string.Join(", ", tensor.Dims)}] " +
                $"of {OnnxElementTypes.Name(tensor.GetElementType())}.", FilePath);
        }
        return (path, reference.Offset, length);
    }

    /// <summary>
    /// Saves the model. Tensors at or above <see cref="OnnxSaveOptions.ExternalDataThreshold"/> bytes go to one
    /// external data file beside the model, so models over the 2 GB protobuf limit round-trip. Files are written
    /// under temporary names and renamed at the end.
    /// </summary>
    public void Save(string path, OnnxSaveOptions? options = null) => OnnxModelWriter.Save(this, path, options ?? new OnnxSaveOptions());

    /// <summary>
    /// The serialized model, for sessions created from memory. External tensors stay external (a session needs
    /// <see cref="BaseDirectory"/> to find them).
    /// </summary>
    public byte[] ToBytes()
    {
        var size = Proto.CalculateSize();
        if (size < 0 || (long)size > int.MaxValue)
        {
            throw new InvalidOperationException(
                "The model is over the 2 GB protobuf limit in memory; save it with external data instead.");
        }
        return Proto.ToByteArray();
    }

    /// <summary>
    /// Checks every external tensor's reference again (location inside the model's folder, real path included, file
    /// present, range inside it). Called before ONNX Runtime reads the data files itself, since the folder may have
    /// changed since <see cref="Load"/>.
    /// </summary>
    /// <exception cref="OnnxFormatException">A reference is no longer valid.</exception>
    public void CheckExternalData()
    {
        foreach (var tensor in AllInitializers().Where(t => t.IsExternal()))
        {
            ResolveExternal(tensor);
        }
    }

    private void ValidateOpset()
    {
        var imports = Proto.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").ToList();
        if (imports.Count == 0)
        {
            if (Proto.Graph.Node.Any(n => string.IsNullOrEmpty(n.Domain) || n.Domain == "ai.onnx"))
            {
                throw new OnnxFormatException(
                    "the model imports no opset for the default domain (ai.onnx) but uses its operators; expected an opset_import entry.", FilePath);
            }
            return;
        }
        var version = imports[0].Version;
        if (version < 1 || version > MaxOpsetVersion)
        {
            throw new OnnxFormatException(
                $"the model's default-domain (ai.onnx) opset version is {version}; expected 1 to {MaxOpsetVersion}, the versions ONNX Runtime runs. " +
                "Export the model at a released opset (SVD exports use 17).", FilePath);
        }
    }

    private void ValidateTensors()
    {
        foreach (var tensor in AllInitializers())
        {
            tensor.GetElementType(FilePath);
            if (tensor.IsExternal())
            {
                ResolveExternal(tensor);
            }
            else
            {
                tensor.CheckInlineData(FilePath);
            }
        }
    }

    internal static IEnumerable<TensorProto> EnumerateInitializers(GraphProto graph)
    {
        foreach (var t in graph.Initializer)
        {
            yield return t;
        }
        foreach (var node in graph.Node)
        {
            foreach (var attribute in node.Attribute)
            {
                if (attribute.T is { } t)
                {
                    yield return t;
                }
                foreach (var tensor in attribute.Tensors)
                {
                    yield return tensor;
                }
                var subgraphs = attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G);
                foreach (var sub in subgraphs)
                {
                    foreach (var inner in EnumerateInitializers(sub))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }
}
