using System.CommandLine;
using Fme.MLNet.Imaging;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Rehash;

namespace Fme.Cli;

/// <summary>
/// Step Rehash options of <c>generate</c>: a full step every N steps, a saved schedule, or a schedule calibrated first
/// (a run with every step full); the depth of the cached level; and where to save the schedule used.
/// </summary>
internal sealed class RehashArguments
{
    public Option<int?> Interval { get; } = new("--rehash-interval") { Description = "Step Rehash: run the whole UNet on steps 0, N, 2N, ... and only its outermost levels on the others (reusing the deep features)." };

    public Option<FileInfo?> Schedule { get; } = new("--rehash-schedule") { Description = "Step Rehash with a schedule file (written by --rehash-save); its step count must match --steps." };

    public Option<int?> Calibrate { get; } = new("--rehash-calibrate") { Description = "Step Rehash with a calibrated schedule of N full steps: first runs every step full, then makes the steps where the deep features change most full." };

    public Option<int?> Depth { get; } = new("--rehash-depth") { Description = "How many outermost resolution levels rehash steps compute (default 1; more is slower and closer to the full result)." };

    public Option<FileInfo?> Save { get; } = new("--rehash-save") { Description = "Write the schedule used (JSON) to this file, to reuse it with --rehash-schedule." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Interval, Schedule, Calibrate, Depth, Save })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(result =>
        {
            var chosen = new Option[] { Interval, Schedule, Calibrate }.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
            if (chosen.Count > 1)
            {
                result.AddError($"Choose one of {string.Join(", ", chosen)}: each sets the full steps.");
            }
            else if (chosen.Count == 0 && (result.GetResult(Depth) ?? result.GetResult(Save)) is not null)
            {
                result.AddError("--rehash-depth and --rehash-save need Step Rehash: add --rehash-interval, --rehash-schedule or --rehash-calibrate.");
            }
        });
    }

    /// <summary>
    /// The Step Rehash options asked for (null when none), calibrating first when asked; prints the schedule and saves it
    /// when asked.
    /// </summary>
    public StepRehashOptions? Resolve(ParseResult parse, VideoDiffusionPipeline pipeline, RgbImage image, GenerationOptions options,
        IProgress<GenerationProgress> progress, CancellationToken cancellation)
    {
        var depth = parse.GetValue(Depth) ?? 1;
        RehashSchedule schedule;
        if (parse.GetValue(Interval) is { } interval)
        {
            schedule = RehashSchedule.Interval(options.Steps, interval);
        }
        else if (parse.GetValue(Schedule) is { } file)
        {
            schedule = RehashSchedule.Load(file.FullName);
        }
        else if (parse.GetValue(Calibrate) is { } fullSteps)
        {
            Console.WriteLine($"Calibrating Step Rehash: {options.Steps} steps, all full, to choose {fullSteps} full steps (depth {depth}).");
            schedule = pipeline.CalibrateRehash(image, options, fullSteps, depth, progress, cancellation);
        }
        else
        {
            return null;
        }
        Console.WriteLine($"Step Rehash at depth {depth}: {schedule}");
        if (parse.GetValue(Save) is { } save)
        {
            schedule.Save(save.FullName);
            Console.WriteLine($"Wrote the schedule to {save.FullName}.");
        }
        return StepRehashOptions.WithSchedule(schedule) with { Depth = depth };
    }
}
