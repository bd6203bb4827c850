using Fme.MLNet.MLNet;
using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// Saving and loading models that contain <c>GenerateVideoFme</c>, on <c>mlContext.Model</c>. <c>mlContext.Model.Save</c>
/// cannot keep this transform's options, so these write one zip file: ML.NET's own transforms in ML.NET's format, and each
/// video transform as its options (JSON).
/// </summary>
public static class FmeModelOperationsCatalog
{
    /// <summary>
    /// Saves <paramref name="model"/> (a single transformer or a chain, nested chains included) to <paramref name="filePath"/>,
    /// written to a temporary file first and renamed into place. GPU settings taken from the context are not saved: the
    /// context that loads the model supplies its own.
    /// </summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="model">The model.</param>
    /// <param name="inputSchema">The schema of the model's input (as for <c>mlContext.Model.Save</c>); may be null.</param>
    /// <param name="filePath">The file to write; replaced if it exists.</param>
    /// <param name="embedModelFolders">Store each video transform's model folder inside the file (up to 1 GiB each, e.g. the
    /// tiny set written by <c>TinySvd.Write</c>); loading extracts it. By default the file keeps only the folder's path, so
    /// the folder must be at that path wherever the model is loaded.</param>
    public static void SaveFme(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath,
        bool embedModelFolders = false)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        FmeModelFile.Save(catalog, model, inputSchema, filePath, embedModelFolders);
    }

    /// <summary>
    /// Loads a model written by <see cref="SaveFme"/>, as a chain in the saved order. Its video transforms load their
    /// model folders and create their sessions now, with this context's GPU settings: dispose the chain when done.
    /// </summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="filePath">The file.</param>
    /// <param name="inputSchema">The input schema saved with the model (null if none was).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A video transform's model folder (kept as a path) does not exist; the
    /// message names it.</exception>
    /// <exception cref="InvalidDataException">The file is not a model written by <see cref="SaveFme"/>, or a video transform's
    /// Step Rehash options in it are malformed or do not fit its generation (a schedule for another step count).</exception>
    public static TransformerChain<ITransformer> LoadFme(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        return FmeModelFile.Load(catalog, MLContextSettings.EnvironmentOf(catalog), filePath, out inputSchema);
    }
}
