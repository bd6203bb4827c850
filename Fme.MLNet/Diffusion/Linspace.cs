namespace Fme.MLNet.Diffusion;

/// <summary>
/// Evenly spaced values computed the way the reference libraries compute them, so that schedules and
/// guidance scales match them to the last bit rather than only approximately.
/// </summary>
internal static class Linspace
{
    /// <summary>
    /// PyTorch's <c>torch.linspace(start, end, steps)</c> in float32: step = (end - start) / (steps - 1);
    /// the first half counts up from start, the second half counts down from end.
    /// </summary>
    public static float[] Float32(float start, float end, int steps)
    {
        var values = new float[steps];
        if (steps == 1)
        {
            values[0] = start;
            return values;
        }
        var step = (end - start) / (steps - 1);
        var halfway = steps / 2;
        for (var i = 0; i < steps; i++)
        {
            values[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return values;
    }

    /// <summary>NumPy's <c>np.linspace(start, stop, num)</c> in float64: i * step + start, the last value exactly stop.</summary>
    public static double[] Float64(double start, double stop, int num)
    {
        var values = new double[num];
        if (num == 1)
        {
            values[0] = start;
            return values;
        }
        var step = (stop - start) / (num - 1);
        for (var i = 0; i < num; i++)
        {
            values[i] = i * step + start;
        }
        values[^1] = stop;
        return values;
    }
}
