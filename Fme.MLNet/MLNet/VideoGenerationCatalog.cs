using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;

namespace Microsoft.ML;

/// <summary>The <c>GenerateVideoFme</c> transform on <c>mlContext.Transforms</c>.</summary>
public static class VideoGenerationCatalog
{
    /// <summary>
    /// Turns each image of <paramref name="inputColumnName"/> into a short video in <paramref name="outputColumnName"/>,
    /// with Stable Video Diffusion run from ONNX files through the streamlined (memory-saving) executor.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The video column to add.</param>
    /// <param name="inputColumnName">The image column (<c>MLImage</c>); null reads <paramref name="outputColumnName"/>.</param>
    /// <param name="modelFolder">The SVD model folder; null uses the built-in tiny model set (its videos are noise).</param>
    /// <param name="generation">Size, frames, steps, guidance and seed; null for SVD's defaults.</param>
    /// <param name="gpuDeviceId">CUDA device; null takes <c>mlContext.GpuDeviceId</c>.</param>
    /// <param name="fallbackToCpu">Run on the CPU when CUDA cannot be loaded; null takes <c>mlContext.FallbackToCpu</c>.</param>
    public static GenerateVideoFmeEstimator GenerateVideoFme(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, string? modelFolder = null, GenerationOptions? generation = null,
        int? gpuDeviceId = null, bool? fallbackToCpu = null) =>
        catalog.GenerateVideoFme(new GenerateVideoFmeOptions(outputColumnName, inputColumnName)
        {
            ModelFolder = modelFolder,
            Generation = generation ?? GenerationOptions.Default,
            GpuDeviceId = gpuDeviceId,
            FallbackToCpu = fallbackToCpu,
        });

    /// <summary>Turns each image of a column into a short video, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, model folder, generation and execution settings.</param>
    public static GenerateVideoFmeEstimator GenerateVideoFme(this TransformsCatalog catalog, GenerateVideoFmeOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GenerateVideoFmeEstimator(MLContextSettings.EnvironmentOf(catalog), options);
    }
}
