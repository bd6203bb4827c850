namespace Fme.MLNet.Rehash;

/// <summary>
/// Step Rehash for one generation (<see cref="Pipelines.GenerationOptions.StepRehash"/>; off when null): on full steps the
/// whole UNet runs and its deep tensor is kept; on the other steps that tensor is reused and only the
/// <see cref="Depth"/> outermost resolution levels are computed. Either every <see cref="FullStepInterval"/>-th step is
/// full, or a <see cref="Schedule"/> (explicit, loaded, or calibrated with
/// <see cref="Pipelines.VideoDiffusionPipeline.CalibrateRehash(Imaging.RgbImage, Pipelines.GenerationOptions, int, int, IProgress{Pipelines.GenerationProgress}?, CancellationToken)"/>)
/// says which. Immutable; validated on construction and when read from JSON (as in a model saved by <c>SaveFme</c>).
/// </summary>
/// <remarks>
/// <para>
/// The split is found from the graph: the Concat nodes where the up path joins a skip tensor of the down path, grouped by
/// resolution (<see cref="UnetSkipStructure"/>); the cached deep tensor is the up path's input to the innermost
/// recomputed level (<see cref="RehashModels"/>). Both models run through the streamlined executor with the pipeline's
/// UNet cuts.
/// </para>
/// <para>
/// Memory: one deep tensor is cached (for SVD at 576 x 1024 and depth 1, [28, 640, 72, 128] float16, about 330 MB); the
/// previous one is freed before a full step makes the next, and the last is freed before decoding. It lives in host
/// memory, where the streamlined executor keeps every full tensor between operator groups, so a GPU's memory holds it
/// only while the group that reads it runs; a GPU-resident executor could keep it on the device instead, saving one
/// upload per rehash step. While it is cached, the UNet's activations can peak higher by at most its size. The
/// pipeline holds the sessions of either the plain UNet or the two rehash models, not both; the shallow model's
/// sessions load its (outermost, smallest) weights a second time.
/// </para>
/// </remarks>
public sealed partial record StepRehashOptions
{
    private readonly int _depth = 1;

    private StepRehashOptions(int? interval, RehashSchedule? schedule)
    {
        FullStepInterval = interval;
        Schedule = schedule;
    }

    /// <summary>Full steps at 0, n, 2n, ...; null when a <see cref="Schedule"/> is given.</summary>
    public int? FullStepInterval { get; }

    /// <summary>The schedule; null when <see cref="FullStepInterval"/> is given. Its step count must equal the generation's.</summary>
    public RehashSchedule? Schedule { get; }

    /// <summary>
    /// How many of the UNet's outermost resolution levels rehash steps compute (1 to the number of levels, 4 for SVD).
    /// More levels: slower rehash steps, closer to the full result. Default 1.
    /// </summary>
    public int Depth
    {
        get => _depth;
        init => _depth = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Depth), value, "The rehash depth must be at least 1 (one resolution level).");
    }

    /// <summary>Full steps at 0, <paramref name="interval"/>, 2 x <paramref name="interval"/>, ...; 1 makes every step full.</summary>
    public static StepRehashOptions WithInterval(int interval) =>
        new(interval >= 1 ? interval : throw new ArgumentOutOfRangeException(nameof(interval), interval, "The full-step interval must be at least 1."), null);

    /// <summary>Full steps where <paramref name="schedule"/> says.</summary>
    public static StepRehashOptions WithSchedule(RehashSchedule schedule) => new(null, schedule ?? throw new ArgumentNullException(nameof(schedule)));

    /// <summary>The schedule for a generation of <paramref name="steps"/> steps.</summary>
    /// <exception cref="ArgumentException">The schedule is for another step count.</exception>
    public RehashSchedule ScheduleFor(int steps)
    {
        if (Schedule is null)
        {
            return RehashSchedule.Interval(steps, FullStepInterval!.Value);
        }
        return Schedule.StepCount == steps
            ? Schedule
            : throw new ArgumentException(
                $"The rehash schedule is for {Schedule.StepCount} steps but the generation has {steps}; calibrate or write a schedule " +
                "for this step count, or use an interval.", nameof(steps));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Step Rehash at depth {Depth}, " + (Schedule is null ? $"a full step every {FullStepInterval} steps" : $"schedule {Schedule}");
}
