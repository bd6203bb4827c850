using System.Runtime.CompilerServices;
namespace Fme.MLNet.Diffusion;

/// <summary>
/// A seeded stream of standard normal float32 values with a fixed, documented algorithm, so a seed gives the
/// same noise on every platform and .NET version (unlike <see cref="Random"/>, whose algorithm may change).
/// </summary>
/// <remarks>
/// <para>Algorithm: value k of the stream comes from the pair p = k / 2. The pair uses outputs 2p and 2p + 1 of
/// SplitMix64 (Steele, Lea and Flood 2014) started at state = seed: output j is mix(seed + (j + 1) * 0x9E3779B97F4A7C15)
/// with mix(z) = z ^= z &gt;&gt; 30, z *= 0xBF58476D1CE4E5B9, z ^= z &gt;&gt; 27, z *= 0x94D049BB133111EB, z ^= z &gt;&gt; 31.
/// The two 64-bit outputs a, b become u1 = ((a &gt;&gt; 11) + 1) / 2^53 in (0, 1] and u2 = (b &gt;&gt; 11) / 2^53 in [0, 1);
/// Box-Muller (1958) then gives r = sqrt(-2 ln u1), value 2p = r cos(2 pi u2), value 2p + 1 = r sin(2 pi u2),
/// computed in float64 and rounded to float32.</para>
/// <para>Every value is a function of (seed, position) alone: filling in several calls gives the same values as one
/// call, and large fills run in parallel. The integer stream is exact everywhere; the float64 log / sin / cos come
/// from the platform's math library, which may differ in the last bit of a double on rare inputs, and such a
/// difference almost never survives rounding to float32.</para>
/// <para>This is not PyTorch's <c>torch.randn</c> stream (a Mersenne Twister with its own normal transform, and a
/// different one again on CUDA): the same seed does not give the same video as the Python reference.</para>
/// <para>An instance keeps a position and is not safe for concurrent use; create one per consumer.</para>
/// </remarks>
public sealed class GaussianNoise
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const double TwoToMinus53 = 1.0 / (1UL << 53);
    private const int ParallelThreshold = 1 << 16;

    /// <summary>Creates a stream at position 0.</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal streams.</param>
    public GaussianNoise(ulong seed)
    {
        Seed = seed;
    }

    /// <summary>The seed the stream was created with.</summary>
    public ulong Seed { get; }

    /// <summary>How many values have been drawn so far (the index of the next value).</summary>
    public long Position { get; private set; }

    /// <summary>Fills a buffer with the next <paramref name="destination"/>.Length values and advances the position.</summary>
    /// <param name="destination">Receives standard normal values.</param>
    public void Fill(Span<float> destination)
    {
        var start = Position;
        if (destination.Length >= ParallelThreshold)
        {
            FillParallel(destination, start);
        }
        else
        {
            FillRange(destination, start);
        }
        Position = start + destination.Length;
    }

    /// <summary>Fills a buffer with the next values times <paramref name="scale"/> (scaled in float32) and advances the position.</summary>
    /// <param name="destination">Receives scaled normal values.</param>
    /// <param name="scale">The standard deviation wanted.</param>
    public void Fill(Span<float> destination, float scale)
    {
        Fill(destination);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] *= scale;
        }
    }

    private unsafe void FillParallel(Span<float> destination, long start)
    {
        const int chunk = 1 << 14; // chunks are independent: a value depends only on (seed, position)
        fixed (float* pointer = destination)
        {
            var address = (nint)pointer;
            var length = destination.Length;
            Parallel.For(0, (length + chunk - 1) / chunk, c =>
            {
                var offset = c * chunk;
                var span = new Span<float>((float*)address + offset, Math.Min(chunk, length - offset));
                FillRange(span, start + offset);
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillRange(Span<float> destination, long start)
    {
        var i = 0;
        if ((start & 1) != 0 && destination.Length > 0)
        {
            destination[i++] = (float)Pair(start >> 1).Second;
        }
        for (; i + 1 < destination.Length; i += 2)
        {
            var (first, second) = Pair((start + i) >> 1);
            destination[i] = (float)first;
            destination[i + 1] = (float)second;
        }
        if (i < destination.Length)
        {
            destination[i] = (float)Pair((start + i) >> 1).First;
        }
    }

    private (double First, double Second) Pair(long pair)
    {
        var a = SplitMix((ulong)pair * 2);
        var b = SplitMix((ulong)pair * 2 + 1);
        var u1 = ((a >> 11) + 1) * TwoToMinus53;
        var u2 = (b >> 11) * TwoToMinus53;
        var r = Math.Sqrt(-2.0 * Math.Log(u1));
        var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
        return (r * cos, r * sin);
    }

    private ulong SplitMix(ulong index)
    {
        var z = Seed + (index + 1) * Gamma;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
