using System.Globalization;
using System.Text;

namespace Fme.MLNet.Rehash;

/// <summary>
/// Which denoising steps run the whole UNet ("full" steps, which also refresh the cached deep tensor) and which reuse the
/// last full step's deep tensor and compute only the outermost levels ("rehash" steps). Step 0 is always full. An
/// immutable value: print it (<see cref="ToString"/>), save and load it as JSON (<see cref="Save"/>, <see cref="Load"/>),
/// and reuse it: the same schedule, depth, seed and options give the same frames.
/// </summary>
public sealed partial class RehashSchedule : IEquatable<RehashSchedule>
{
    private readonly bool[] _full;

    private RehashSchedule(bool[] full, IReadOnlyList<double>? deepChanges)
    {
        _full = full;
        FullSteps = Enumerable.Range(0, full.Length).Where(i => full[i]).ToArray();
        DeepChanges = deepChanges;
    }

    /// <summary>Number of denoising steps the schedule is for.</summary>
    public int StepCount => _full.Length;

    /// <summary>The full steps, ascending; the first is 0.</summary>
    public IReadOnlyList<int> FullSteps { get; }

    /// <summary>Number of rehash steps (those that reuse the deep tensor).</summary>
    public int RehashStepCount => StepCount - FullSteps.Count;

    /// <summary>
    /// For a calibrated schedule, how much the deep tensor changed on each step of the calibration run: at index i - 1, the
    /// relative L2 change from step i - 1 to step i. Null for other schedules; it plays no part in equality.
    /// </summary>
    public IReadOnlyList<double>? DeepChanges { get; }

    /// <summary>Whether the step runs the whole UNet.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is not in [0, <see cref="StepCount"/>).</exception>
    public bool IsFull(int step) => (uint)step < (uint)_full.Length
        ? _full[step]
        : throw new ArgumentOutOfRangeException(nameof(step), step, $"The schedule has steps 0 to {_full.Length - 1}.");

    /// <summary>Full steps at 0, <paramref name="interval"/>, 2 x <paramref name="interval"/>, ...; the others rehash.</summary>
    /// <param name="steps">Denoising steps, 1 or more.</param>
    /// <param name="interval">Steps from one full step to the next, 1 or more (1: every step full).</param>
    public static RehashSchedule Interval(int steps, int interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        return FromFullSteps(steps, Enumerable.Range(0, CheckSteps(steps)).Where(i => i % interval == 0));
    }

    /// <summary>A schedule with the given full steps (any order, no repeats); the others rehash.</summary>
    /// <exception cref="ArgumentException">A step is out of range or repeated, or step 0 is missing.</exception>
    public static RehashSchedule FromFullSteps(int steps, IEnumerable<int> fullSteps) => Create(steps, fullSteps, null, null);

    /// <summary>
    /// The key-step search: given how much the deep tensor changed on each step of a run with every step full, makes
    /// step 0 and the <paramref name="fullSteps"/> - 1 steps with the largest changes full (ties go to the earlier step),
    /// since reusing a deep tensor is worst where it moves most.
    /// </summary>
    /// <param name="deepChanges">At index i - 1, the change from step i - 1 to step i (so one fewer than the steps).</param>
    /// <param name="fullSteps">How many steps run the whole UNet, 1 to the number of steps.</param>
    /// <exception cref="ArgumentException">A change is negative or not finite.</exception>
    public static RehashSchedule FromDeepChanges(IReadOnlyList<double> deepChanges, int fullSteps)
    {
        ArgumentNullException.ThrowIfNull(deepChanges);
        var steps = deepChanges.Count + 1;
        ArgumentOutOfRangeException.ThrowIfLessThan(fullSteps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fullSteps, steps);
        for (var i = 0; i < deepChanges.Count; i++)
        {
            if (!(deepChanges[i] >= 0 && double.IsFinite(deepChanges[i])))
            {
                throw new ArgumentException($"The deep change at step {i + 1} is {deepChanges[i]}; expected a finite number, 0 or more.", nameof(deepChanges));
            }
        }
        var keys = Enumerable.Range(1, steps - 1).OrderByDescending(i => deepChanges[i - 1]).ThenBy(i => i).Take(fullSteps - 1);
        return Create(steps, keys.Prepend(0), deepChanges.ToArray(), nameof(deepChanges));
    }

    private static RehashSchedule Create(int steps, IEnumerable<int> fullSteps, IReadOnlyList<double>? changes, string? changesName)
    {
        ArgumentNullException.ThrowIfNull(fullSteps);
        var full = new bool[CheckSteps(steps)];
        foreach (var step in fullSteps)
        {
            if ((uint)step >= (uint)steps || full[step])
            {
                throw new ArgumentException(
                    (uint)step >= (uint)steps ? $"Full step {step} is outside steps 0 to {steps - 1}." : $"Full step {step} is listed twice.",
                    nameof(fullSteps));
            }
            full[step] = true;
        }
        if (!full[0])
        {
            throw new ArgumentException("Step 0 must be full: there is no deep tensor to reuse before it.", nameof(fullSteps));
        }
        if (changes is not null && changes.Count != steps - 1)
        {
            throw new ArgumentException($"{changes.Count} deep changes for {steps} steps; expected {steps - 1} (one per step after the first).", changesName);
        }
        return new RehashSchedule(full, changes);
    }

    private static int CheckSteps(int steps) =>
        steps >= 1 ? steps : throw new ArgumentOutOfRangeException(nameof(steps), steps, "A schedule needs at least 1 step.");

    /// <summary>
    /// One line: the step count, the full steps, and a bar with F for full and . for rehash steps (for example
    /// <c>25 steps, 9 full [0, 3, 6, ...]: F..F..F..</c>).
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{StepCount} steps, {FullSteps.Count} full [{string.Join(", ", FullSteps)}], {RehashStepCount} rehashed: ");
        foreach (var f in _full)
        {
            text.Append(f ? 'F' : '.');
        }
        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(RehashSchedule? other) => other is not null && _full.AsSpan().SequenceEqual(other._full);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RehashSchedule);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var f in _full)
        {
            hash.Add(f);
        }
        return hash.ToHashCode();
    }
}
