namespace Fme.MLNet.Tests.Support;

/// <summary>Fresh random inputs for every run; the seed is printed so a failure can be replayed.</summary>
public sealed class TestRandom
{
    private readonly Random _random;

    public TestRandom(int? seed = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FME_TEST_SEED");
        Seed = seed ?? (fromEnvironment is null ? Random.Shared.Next() : int.Parse(fromEnvironment));
        _random = new Random(Seed);
    }

    public int Seed { get; }

    /// <summary>Gaussian values (Box-Muller), scaled.</summary>
    public float[] Normal(long count, float scale = 1f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)) * scale;
        }
        return values;
    }

    public float[] Uniform(long count, float low = -1f, float high = 1f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = low + (float)_random.NextDouble() * (high - low);
        }
        return values;
    }

    public int Next(int min, int max) => _random.Next(min, max);

    public byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    public override string ToString() => $"seed {Seed} (set FME_TEST_SEED={Seed} to replay)";
}
