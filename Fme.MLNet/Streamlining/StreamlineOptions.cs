namespace Fme.MLNet.Streamlining;

/// <summary>
/// How the streamlined executor cuts a model. The defaults follow the reference code's defaults for 14 frames
/// (its <c>num_temporal_chunk</c> = 7 is <see cref="FrameChunks"/>, its <c>num_spatial_chunk</c> = 7 is
/// <see cref="PixelChunks"/>). Immutable; validated on construction.
/// </summary>
public sealed record StreamlineOptions
{
    private readonly int _frameChunks = 7;
    private readonly int _pixelChunks = 7;
    private readonly long? _memoryBudgetBytes;
    private readonly long _minimumCutBytes = 256 * 1024;
    private readonly double _minimumReduction = 1.25;

    /// <summary>The default options.</summary>
    public static StreamlineOptions Default { get; } = new();

    /// <summary>Options that never cut: every model runs as one piece, like a plain session.</summary>
    public static StreamlineOptions Unsliced { get; } = new() { FrameChunks = 1, PixelChunks = 1 };

    /// <summary>Pieces for groups cut along frames (or batch); 1 turns such cuts off. Default 7.</summary>
    public int FrameChunks
    {
        get => _frameChunks;
        init => _frameChunks = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(FrameChunks), value, "FrameChunks must be at least 1.");
    }

    /// <summary>Pieces for groups cut along pixels; 1 turns such cuts off. Default 7.</summary>
    public int PixelChunks
    {
        get => _pixelChunks;
        init => _pixelChunks = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(PixelChunks), value, "PixelChunks must be at least 1.");
    }

    /// <summary>
    /// When set, piece counts are raised where needed so the predicted peak memory of activations stays within this many
    /// bytes; if no plan fits, planning fails with the smallest reachable peak.
    /// </summary>
    public long? MemoryBudgetBytes
    {
        get => _memoryBudgetBytes;
        init => _memoryBudgetBytes = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MemoryBudgetBytes), value, "The memory budget must be positive.");
    }

    /// <summary>
    /// Allow cuts that change the result: normalisations whose statistics span the cut axis, inside a group, use
    /// per-piece statistics (as the reference code does). Off by default: every cut is exact. The plan lists where.
    /// </summary>
    public bool AllowApproximateCuts { get; init; }

    /// <summary>
    /// A group is cut only if the intermediate tensors it keeps in pieces add up to at least this many bytes; smaller
    /// groups run whole, which saves session calls. Default 256 KiB; 0 cuts everything that can be cut.
    /// </summary>
    public long MinimumCutBytes
    {
        get => _minimumCutBytes;
        init => _minimumCutBytes = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinimumCutBytes), value, "MinimumCutBytes cannot be negative.");
    }

    /// <summary>
    /// Cut every group that can be cut. Off by default: a group whose uncut peak stays below the plan's peak (or the
    /// memory budget) runs whole, since cutting it would cost time and sessions without lowering the peak.
    /// </summary>
    public bool CutEverywhere { get; init; }

    /// <summary>
    /// How many times lower the predicted peak of a cut plan must be than the unsliced one for the model to be cut at
    /// all; otherwise it runs whole in one plain session (the plan says why), since running groups costs session calls,
    /// piece copies and per-session memory that the prediction does not count. Default 1.25. Ignored with
    /// <see cref="CutEverywhere"/>, and when the unsliced peak exceeds <see cref="MemoryBudgetBytes"/>.
    /// </summary>
    public double MinimumReduction
    {
        get => _minimumReduction;
        init => _minimumReduction = value >= 1 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinimumReduction), value, "MinimumReduction must be a finite number of at least 1.");
    }

    /// <summary>
    /// What the axes of graph inputs stand for, by input name (for example <c>latent_sample</c>:
    /// [Frames, Channels, Height, Width]). Inputs not listed are labelled from their dimension names, else their rank.
    /// </summary>
    public IReadOnlyDictionary<string, AxisLabel[]>? InputAxes { get; init; }

    /// <summary>Pieces asked for a group of this kind.</summary>
    public int PiecesFor(CutKind kind) => kind switch
    {
        CutKind.Pixels => PixelChunks,
        CutKind.None => 1,
        _ => FrameChunks,
    };
}
