namespace Fme.MLNet.Pipelines;

/// <summary>Stages of one generation, in order.</summary>
public enum GenerationStage
{
    /// <summary>Image embedding and VAE encoding of the conditioning image.</summary>
    Encode,
    /// <summary>The denoising loop (one report per step).</summary>
    Denoise,
    /// <summary>Decoding all frames with the temporal VAE decoder.</summary>
    Decode,
    /// <summary>The frames are ready.</summary>
    Done,
}

/// <summary>A progress report.</summary>
/// <param name="Stage">The stage running (or, for <see cref="GenerationStage.Denoise"/>, the step just finished).</param>
/// <param name="Step">Steps finished so far (0 before the loop).</param>
/// <param name="TotalSteps">Steps in all.</param>
/// <param name="Elapsed">Time since the generation started.</param>
/// <param name="Sigma">Noise level of the step just finished, for denoising reports.</param>
public sealed record GenerationProgress(GenerationStage Stage, int Step, int TotalSteps, TimeSpan Elapsed, float? Sigma = null);
