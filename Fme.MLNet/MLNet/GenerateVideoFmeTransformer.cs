using Fme.MLNet.Imaging;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Fme.MLNet.MLNet;

/// <summary>
/// The fitted <c>GenerateVideoFme</c> transform: adds a video column (<see cref="VideoDataViewType"/>, values
/// <see cref="VideoFrames"/>) made from an image column by Stable Video Diffusion.
/// </summary>
/// <remarks>
/// <para>Lazy: a row's video is generated only when its column is read, and once per row however often the getter is
/// called. Rows are generated one at a time (cursors running in parallel wait for each other). Anything that reads the
/// column generates: <c>Preview()</c> makes up to 100 videos unless given a smaller <c>maxRows</c>.</para>
/// <para>A row whose image cannot be read or used throws <see cref="VideoGenerationException"/> from the video getter,
/// naming the row and the columns; the cursor stays usable, so a consumer can record the failure and go on.</para>
/// <para>Holds the ONNX Runtime sessions of the whole model set, created when it is fitted: dispose it. A
/// <c>TransformerChain</c> and a <c>PredictionEngine</c> that own it dispose it with themselves.</para>
/// <para><c>mlContext.Model.Save</c> cannot save it (see <see cref="ICanSaveModel.Save"/>); use
/// <c>mlContext.Model.SaveFme</c> and <c>mlContext.Model.LoadFme</c>.</para>
/// </remarks>
public sealed class GenerateVideoFmeTransformer : ITransformer, IDisposable
{
    private readonly VideoDiffusionPipeline _pipeline;
    private readonly object _gate = new();
    private long _generated;
    private bool _disposed;

    internal GenerateVideoFmeTransformer(IHostEnvironment env, GenerateVideoFmeOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        // A rehash schedule for another step count fails when fitting, not at the first row read.
        options.Generation.StepRehash?.ScheduleFor(options.Generation.Steps);
        Options = options;
        // ML.NET's convention: a component without a seed of its own draws one from the context's random source, so
        // new MLContext(seed: n) makes runs repeat.
        Seed = options.Generation.Seed ?? (ulong)env.Register("GenerateVideoFme").Rand.NextInt64();
        if (options.Generation.Seed is null)
        {
            Log(env, $"GenerateVideoFme (column '{options.OutputColumnName}'): no seed given; every row uses seed {Seed}, drawn from the MLContext.");
        }
        PipelineOptions = MLContextSettings.Read(env).Resolve(options, message => Log(env, message));
        _pipeline = options.ModelFolder is null
            ? VideoDiffusionPipeline.LoadTiny(PipelineOptions)
            : VideoDiffusionPipeline.Load(options.ModelFolder, PipelineOptions);
        try
        {
            _pipeline.Validate(options.Generation);
        }
        catch
        {
            _pipeline.Dispose();
            throw;
        }
    }

    /// <summary>The options the transform was made with.</summary>
    public GenerateVideoFmeOptions Options { get; }

    /// <summary>The noise seed every row's video uses: <see cref="GenerationOptions.Seed"/> when given, else drawn from the
    /// <c>MLContext</c>'s random source when the transformer was made (so <c>new MLContext(seed: n)</c> repeats runs).
    /// <c>SaveFme</c> saves it.</summary>
    public ulong Seed { get; }

    /// <summary>How the networks run: the options with the <c>MLContext</c>'s settings filled in.</summary>
    public PipelineOptions PipelineOptions { get; }

    /// <summary>Whether the networks run on CUDA (false on the CPU, including after a fallback).</summary>
    public bool UsesCuda => _pipeline.UsesCuda;

    /// <summary>Videos generated so far, by every cursor and row of this transformer.</summary>
    public long VideosGenerated => Interlocked.Read(ref _generated);

    /// <summary>The UNet's streamlined plan for the last video's shapes (null before the first).</summary>
    public StreamlinedPlan? UnetPlan => _pipeline.UnetPlan;

    /// <summary>The decoder's streamlined plan for the last video's shapes (null before the first).</summary>
    public StreamlinedPlan? DecoderPlan => _pipeline.DecoderPlan;

    /// <summary>Always true: the transform maps rows one to one, so <c>PredictionEngine</c> can use it.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the video column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or not an image.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new VideoColumnBinding(this, inputSchema).OutputSchema;

    /// <summary>A mapper for single rows (what <c>PredictionEngine</c> uses).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new GenerateVideoRowMapper(new VideoColumnBinding(this, inputSchema));

    /// <summary>A lazy view of <paramref name="input"/> with the video column added; nothing is generated until it is read.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new GenerateVideoDataView(new VideoColumnBinding(this, input.Schema), input);
    }

    /// <summary>
    /// Not supported: <c>mlContext.Model.Save</c> writes only formats ML.NET itself knows, and the one route open to other
    /// packages (a <c>CustomMapping</c> contract) keeps no options. Throws <see cref="NotSupportedException"/> naming
    /// <c>mlContext.Model.SaveFme</c>, which keeps them.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        $"{nameof(GenerateVideoFmeTransformer)} (column '{Options.OutputColumnName}') cannot be saved with mlContext.Model.Save: " +
        "ML.NET saves only transformers whose format it knows, and its CustomMapping route would drop the options " +
        "(model folder, sizes, steps, seed). Save the model with mlContext.Model.SaveFme(model, inputSchema, path) and load it " +
        "with mlContext.Model.LoadFme(path, out inputSchema); they keep ML.NET's own transforms in ML.NET's format and this " +
        "transform's options beside them.");

    /// <summary>Releases the ONNX Runtime sessions. Reading a video afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _pipeline.Dispose();
    }

    /// <summary>Whether the sessions have been released.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>The pipeline that holds the sessions (for tests).</summary>
    internal VideoDiffusionPipeline Pipeline => _pipeline;

    /// <summary>Generates one row's video (one row at a time: the pipeline runs one generation at a time).</summary>
    internal VideoFrames Generate(RgbImage image, long row)
    {
        if (IsDisposed)
        {
            throw Disposed();
        }
        VideoFrames video;
        try
        {
            video = _pipeline.Generate(image, Options.Generation with { Seed = Seed });
        }
        catch (ObjectDisposedException)
        {
            throw Disposed();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw RowError(row, "generation failed", e);
        }
        Interlocked.Increment(ref _generated);
        return video;
    }

    /// <summary>The error for one row, naming both columns and the row.</summary>
    internal VideoGenerationException RowError(long row, string what, Exception inner, string? image = null) => new(
        Options.OutputColumnName, Options.InputColumnName, row,
        $"Could not make the video of row {row} (column '{Options.OutputColumnName}' from image column '{Options.InputColumnName}'" +
        $"{(image is null ? "" : $", image '{image}'")}): {what}: {inner.Message}", inner);

    private ObjectDisposedException Disposed() => new(nameof(GenerateVideoFmeTransformer),
        $"The transformer for column '{Options.OutputColumnName}' was disposed (a TransformerChain or PredictionEngine that owned it " +
        "disposes it too), so its sessions are gone; fit the estimator again or load the model again.");

    private static void Log(IHostEnvironment env, string message)
    {
        using var channel = env.Start("GenerateVideoFme");
        channel.Info(MessageSensitivity.None, message);
    }
}
