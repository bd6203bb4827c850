using System.Text;

namespace Fme.MLNet.Models;

/// <summary>
/// Gaussian weights from a seed: each tensor draws from its own SplitMix64 stream, keyed by the seed and the tensor's
/// name, through Box-Muller (two values per pair of uniforms). Values depend only on (seed, name, count), not on the
/// order tensors are made in, so the float32 and float16 model sets share weights, and they are the same on every
/// platform (see <see cref="PortableMath"/>).
/// </summary>
internal sealed class SeededWeights(int seed)
{
    private const ulong Golden = 0x9E37_79B9_7F4A_7C15UL;

    /// <summary>The seed.</summary>
    public int Seed { get; } = seed;

    /// <summary><paramref name="count"/> values with the given mean and standard deviation, for the tensor <paramref name="name"/>.</summary>
    public float[] Normal(string name, long count, double std, double mean = 0)
    {
        var state = Fnv1a(name) ^ (unchecked((ulong)Seed) * Golden);
        var values = new float[count];
        for (long i = 0; i < count; i += 2)
        {
            // Box-Muller: two normals per pair of uniforms; u1 in (0, 1] keeps the logarithm finite, u2 in [0, 1).
            var u1 = 1.0 - Uniform(ref state);
            var u2 = Uniform(ref state);
            var r = Math.Sqrt(-2.0 * PortableMath.Log(u1));
            var (cos, sin) = PortableMath.CosSinTurns(u2);
            values[i] = (float)(mean + std * r * cos);
            if (i + 1 < count)
            {
                values[i + 1] = (float)(mean + std * r * sin);
            }
        }
        return values;
    }

    private static double Uniform(ref ulong state) => (SplitMix64(ref state) >> 11) * (1.0 / (1UL << 53));

    private static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            state += Golden;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
            return z ^ (z >> 31);
        }
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 0xCBF2_9CE4_8422_2325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 0x0000_0100_0000_01B3UL);
        }
        return hash;
    }
}
