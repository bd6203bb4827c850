using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Fme.MLNet.MLNet;

/// <summary>
/// Estimator for <c>mlContext.Transforms.GenerateVideoFme</c>: turns each image of a column into a short video with
/// Stable Video Diffusion.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Does this estimator need to look at the data to train its parameters?</term><description>No: <c>Fit</c>
/// checks the schema and loads the model.</description></item>
/// <item><term>Input column data type</term><description>Image (<c>MLImage</c>, from <c>LoadImages</c> or
/// <c>ResizeImages</c>)</description></item>
/// <item><term>Output column data type</term><description><see cref="VideoDataViewType"/>, read into a
/// <c>VideoFrames</c> property marked <see cref="VideoTypeAttribute"/></description></item>
/// </list>
/// <c>Fit</c> creates the ONNX Runtime sessions; the transformer it returns holds them and must be disposed.
/// </remarks>
public sealed class GenerateVideoFmeEstimator : IEstimator<GenerateVideoFmeTransformer>
{
    private readonly IHostEnvironment _env;

    /// <summary>Creates the estimator. GPU and session settings left null in <paramref name="options"/> are read from
    /// <paramref name="env"/> (an <c>MLContext</c>) when <see cref="Fit"/> runs.</summary>
    public GenerateVideoFmeEstimator(IHostEnvironment env, GenerateVideoFmeOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        Options = options;
    }

    /// <summary>The options, as given.</summary>
    public GenerateVideoFmeOptions Options { get; }

    /// <summary>Checks the input schema and loads the model (creating its sessions).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or not an image.</exception>
    /// <exception cref="ArgumentException">The Step Rehash schedule is for another step count than the generation's.</exception>
    public GenerateVideoFmeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ColumnChecks.CheckInput(input.Schema, Options);
        return new GenerateVideoFmeTransformer(_env, Options);
    }

    /// <summary>The input shape plus the video column; checks the image column as <see cref="Fit"/> does.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ColumnChecks.CheckInput(inputSchema, Options);
        var name = Options.OutputColumnName;
        return new SchemaShape(inputSchema.Where(c => c.Name != name).Append(SchemaShapeColumns.Scalar(name, VideoDataViewType.Instance)));
    }
}
