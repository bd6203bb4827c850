using Fme.MLNet.Onnx.Proto;
using Google.Protobuf;

namespace Fme.MLNet.Onnx;

/// <summary>Writes a model and its external data, streaming one tensor at a time.</summary>
internal static class OnnxModelWriter
{
    public static void Save(OnnxModel model, string path, OnnxSaveOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (options.Alignment < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Alignment, "Alignment must be at least 1.");
        }
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var dataName = options.ExternalDataFileName ?? Path.GetFileName(full) + ".data";
        if (dataName.Contains('/') || dataName.Contains('\\') || dataName == "..")
        {
            throw new ArgumentException($"External data file name '{dataName}' must be a plain file name.", nameof(options));
        }
        var keepExternal = options.KeepExistingExternalData && model.BaseDirectory is { } baseDir &&
                           string.Equals(Path.GetFullPath(baseDir), folder, StringComparison.Ordinal);

        var proto = model.Proto.Clone();
        var dataTemp = Path.Combine(folder, $".{dataName}.{Guid.NewGuid():N}.tmp");
        var modelTemp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var wroteData = false;
        try
        {
            using (var data = new FileStream(dataTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                foreach (var tensor in OnnxModel.EnumerateInitializers(proto.Graph))
                {
                    if (tensor.DataType == (int)OnnxElementType.String || (keepExternal && tensor.IsExternal()))
                    {
                        continue;
                    }
                    var length = tensor.GetByteLength(model.FilePath);
                    if (length < options.ExternalDataThreshold)
                    {
                        if (tensor.IsExternal())
                        {
                            var bytes = model.ReadTensorBytes(tensor);
                            tensor.ExternalData.Clear();
                            tensor.ClearDataLocation();
                            tensor.RawData = ByteString.CopyFrom(bytes.Span);
                        }
                        continue;
                    }
                    var pad = (options.Alignment - data.Position % options.Alignment) % options.Alignment;
                    data.Write(new byte[pad]);
                    var offset = data.Position;
                    CopyTensorBytes(model, tensor, data);
                    new ExternalDataReference(dataName, offset, length).WriteTo(tensor);
                    ClearTypedData(tensor);
                    wroteData = true;
                }
            }
            using (var output = new FileStream(modelTemp, FileMode.CreateNew, FileAccess.Write))
            {
                proto.WriteTo(output);
            }
            if (wroteData)
            {
                File.Move(dataTemp, Path.Combine(folder, dataName), overwrite: true);
            }
            File.Move(modelTemp, full, overwrite: true);
        }
        finally
        {
            File.Delete(dataTemp);
            File.Delete(modelTemp);
        }
    }

    private static void CopyTensorBytes(OnnxModel model, TensorProto tensor, Stream destination)
    {
        if (!tensor.IsExternal())
        {
            destination.Write(tensor.GetInlineBytes(model.FilePath).Span);
            return;
        }
        // Stream from the source file so a tensor larger than memory (or than 2 GB) is never held at once.
        var (path, offset, length) = model.ResolveExternal(tensor);
        using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        source.Position = offset;
        var buffer = new byte[1 << 20];
        var left = length;
        while (left > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                throw new OnnxFormatException($"tensor '{tensor.Name}': external data ends early.", model.FilePath);
            }
            destination.Write(buffer, 0, read);
            left -= read;
        }
    }

    private static void ClearTypedData(TensorProto tensor)
    {
        tensor.FloatData.Clear();
        tensor.Int32Data.Clear();
        tensor.Int64Data.Clear();
        tensor.DoubleData.Clear();
        tensor.Uint64Data.Clear();
    }
}
