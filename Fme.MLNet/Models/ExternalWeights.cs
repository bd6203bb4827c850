using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// Where a graph writer puts its large weights: appended to one external data file as they are drawn, so a model of
/// billions of parameters is never held in memory. Without a stream it only assigns offsets (a dry run: the graph,
/// with its external references, but no bytes and no random draws), which is how parameter counts are checked
/// without writing gigabytes.
/// </summary>
internal sealed class ExternalWeights(string location, Stream? data) : IDisposable
{
    /// <summary>Weights of at most this many elements stay inside the graph, so shape inference still sees their values.</summary>
    public const long InlineElements = 4096;

    /// <summary>Byte alignment of each tensor in the data file (as <see cref="OnnxSaveOptions.Alignment"/>).</summary>
    public const int Alignment = 64;

    private long _position;

    /// <summary>The data file's name, relative to the model file.</summary>
    public string Location { get; } = location;

    /// <summary>Whether bytes are written (false: a dry run).</summary>
    public bool WritesValues => data is not null;

    /// <summary>Bytes assigned so far.</summary>
    public long Bytes => _position;

    /// <summary>Reserves <paramref name="bytes"/> aligned bytes, writes them when this is not a dry run, and says where they lie.</summary>
    public ExternalDataReference Append(ReadOnlySpan<byte> bytes, long length)
    {
        var pad = (Alignment - _position % Alignment) % Alignment;
        if (data is not null)
        {
            if (bytes.Length != length)
            {
                throw new ArgumentException($"Expected {length} bytes, got {bytes.Length}.", nameof(bytes));
            }
            data.Write(new byte[pad]);
            data.Write(bytes);
        }
        var offset = _position + pad;
        _position = offset + length;
        return new ExternalDataReference(Location, offset, length);
    }

    /// <summary>Flushes and closes the data file.</summary>
    public void Dispose() => data?.Dispose();
}
