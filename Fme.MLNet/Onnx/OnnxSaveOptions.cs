namespace Fme.MLNet.Onnx;

/// <summary>How <see cref="OnnxModel.Save"/> lays out weights.</summary>
public sealed record OnnxSaveOptions
{
    /// <summary>
    /// File name of the external data file, beside the model; default: the model's file name plus <c>.data</c>.
    /// </summary>
    public string? ExternalDataFileName { get; init; }

    /// <summary>Tensors of at least this many bytes are written to the external data file (default 1 KiB).</summary>
    public long ExternalDataThreshold { get; init; } = 1024;

    /// <summary>Byte alignment of each tensor in the external data file (default 64).</summary>
    public int Alignment { get; init; } = 64;

    /// <summary>
    /// When saving into the folder the model came from, keep existing external references as they are instead of
    /// copying their bytes (used for sub-models that share the original weights). Default false.
    /// </summary>
    public bool KeepExistingExternalData { get; init; }
}
