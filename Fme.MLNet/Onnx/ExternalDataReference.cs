using System.Globalization;
using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

/// <summary>Where a tensor's bytes live when its <c>data_location</c> is EXTERNAL.</summary>
/// <param name="Location">Path of the data file, relative to the model file's folder.</param>
/// <param name="Offset">Byte offset of the tensor in that file.</param>
/// <param name="Length">Byte length, or null when the tensor runs to the end of the file.</param>
public sealed record ExternalDataReference(string Location, long Offset, long? Length)
{
    /// <summary>Reads the <c>external_data</c> entries of <paramref name="tensor"/>.</summary>
    /// <exception cref="OnnxFormatException">An entry is missing or is not a number.</exception>
    public static ExternalDataReference Parse(TensorProto tensor, string? modelPath)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    offset = ParseNumber(entry.Value, "offset", tensor.Name, modelPath);
                    break;
                case "length":
                    length = ParseNumber(entry.Value, "length", tensor.Name, modelPath);
                    break;
            }
        }
        if (string.IsNullOrEmpty(location))
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}' is marked EXTERNAL but has no 'location' entry in external_data.", modelPath);
        }
        return new ExternalDataReference(location, offset, length);
    }

    /// <summary>Writes this reference into <paramref name="tensor"/> and marks it EXTERNAL.</summary>
    public void WriteTo(TensorProto tensor)
    {
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = Offset.ToString(CultureInfo.InvariantCulture) });
        if (Length is { } length)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
        }
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ClearRawData();
    }

    /// <summary>
    /// The real path of the data file, checked to stay inside <paramref name="modelDirectory"/>: absolute locations,
    /// <c>..</c> components, control characters and links that lead outside (on the file or on any folder on the way)
    /// are refused.
    /// </summary>
    public string ResolvePath(string modelDirectory, string tensorName, string? modelPath)
    {
        var location = Location;
        if (location.Any(char.IsControl))
        {
            var shown = new string(location.Select(c => char.IsControl(c) ? '?' : c).ToArray());
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data location '{shown}' contains a control character (code {(int)location.First(char.IsControl)}, " +
                "shown as '?'); expected a plain relative file name.", modelPath);
        }
        if (Path.IsPathRooted(location) || location.StartsWith('/') || location.StartsWith('\\') ||
            (location.Length >= 2 && location[1] == ':'))
        {
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data location '{location}' is an absolute path; " +
                "expected a path relative to the model's folder.", modelPath);
        }
        var parts = location.Split('/', '\\');
        if (parts.Any(p => p == ".."))
        {
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data location '{location}' climbs out of the model's folder ('..'); " +
                "expected a path inside it.", modelPath);
        }
        var root = RealPath.Resolve(modelDirectory);
        var full = Path.GetFullPath(Path.Combine(root, Path.Combine(parts)));
        string real;
        try
        {
            real = RealPath.Resolve(full);
        }
        catch (IOException e)
        {
            throw new OnnxFormatException($"tensor '{tensorName}': external data location '{location}': {e.Message}", modelPath, e);
        }
        if (!RealPath.IsInside(root, real) || real == root)
        {
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data location '{location}' is a link (or lies under a linked folder) that " +
                $"resolves to '{real}', outside the model's folder '{root}'; expected a file inside it.", modelPath);
        }
        if (Directory.Exists(real))
        {
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data location '{location}' is a folder ('{real}'); expected a data file.", modelPath);
        }
        if (!File.Exists(real))
        {
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data file '{location}' was not found (looked for '{full}').", modelPath);
        }
        return real;
    }

    private static long ParseNumber(string text, string key, string tensorName, string? modelPath)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new OnnxFormatException(
                $"tensor '{tensorName}': external data '{key}' is '{text}'; expected a non-negative decimal integer.", modelPath);
        }
        return value;
    }
}
